import type { Config } from '../config/config';

/**
 * The browser origins this server answers: CORS on HTTP and the Origin check on WebSocket
 * upgrades use the same list. It is PUBLIC_URL's origin (without PUBLIC_URL: this machine's
 * loopback names on the listening port) plus ALLOWED_ORIGINS. A request without an Origin header
 * does not come from a browser page (the bot, curl, servers) and is allowed.
 */
export interface OriginPolicy {
  allowedOrigins(): string[];
  allows(origin: string | undefined): boolean;
}

export function createOriginPolicy(config: Pick<Config, 'http'>, listeningPort: () => number): OriginPolicy {
  const allowedOrigins = () => {
    const own = config.http.publicUrl
      ? [new URL(config.http.publicUrl).origin]
      : ['localhost', '127.0.0.1', '[::1]'].map((host) => `http://${host}:${listeningPort()}`);
    return [...new Set([...own, ...(config.http.allowedOrigins ?? [])])];
  };
  return {
    allowedOrigins,
    allows: (origin) => origin === undefined || allowedOrigins().includes(origin),
  };
}

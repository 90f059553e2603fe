import { timingSafeEqual } from 'node:crypto';
import { anonymousPrincipal, overlayPrincipal, personPrincipal, servicePrincipal, type Principal } from './principal';

export interface PrincipalResolverDeps {
  apiToken: string;
  findStreamerIdByOverlayKey(key: string): Promise<string | null>;
  /**
   * The Twitch user id of the live dashboard session in a `Cookie` header (signature checked,
   * not expired, not revoked); null otherwise. Absent: no sessions (persons only through tests).
   */
  findPersonBySessionCookie?(cookieHeader: string): Promise<string | null>;
  /** The browser-origin allow-list: a cookie-authenticated request from another origin is refused (CSRF). */
  allowsOrigin?(origin: string | undefined): boolean;
}

/** Fetch `Headers` (yoga's request) or Node's header record (`IncomingMessage.headers`, Fastify). */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

/** Turns what a client sent into its principal; the HTTP and WebSocket layers only call this. */
export interface PrincipalResolver {
  /** `Authorization: Bearer <API_TOKEN>` or `X-Overlay-Key: <key>`. */
  fromHeaders(headers: HeaderSource): Promise<Principal>;
  /**
   * graphql-ws `connectionParams`: `authorization` (as the header) or `overlayKey`; without
   * either, the session cookie of the upgrade request (the dashboard's browser sends it).
   */
  fromConnectionParams(
    params: Readonly<Record<string, unknown>> | null | undefined,
    upgradeHeaders?: HeaderSource,
  ): Promise<Principal>;
}

interface Credentials {
  authorization: string | undefined;
  overlayKey: string | undefined;
  cookie?: string | undefined;
  origin?: string | undefined;
}

export function createPrincipalResolver(deps: PrincipalResolverDeps): PrincipalResolver {
  const resolve = async ({ authorization, overlayKey, cookie, origin }: Credentials): Promise<Principal> => {
    // An Authorization header decides alone, even when an overlay key comes with it.
    if (authorization !== undefined && authorization.trim() !== '') {
      const token = bearerToken(authorization);
      return token !== undefined && safeEqual(token, deps.apiToken) ? servicePrincipal : anonymousPrincipal(true);
    }
    if (overlayKey) {
      const streamerId = await deps.findStreamerIdByOverlayKey(overlayKey);
      return streamerId ? overlayPrincipal(streamerId) : anonymousPrincipal(true);
    }
    // Last: the dashboard session. Browsers send cookies on cross-site requests too, so a
    // cookie only counts from an allowed origin (or none: not a page's fetch) - CSRF.
    if (cookie && deps.findPersonBySessionCookie) {
      const twitchUserId = await deps.findPersonBySessionCookie(cookie);
      if (twitchUserId === null) return anonymousPrincipal(false);
      if (deps.allowsOrigin && !deps.allowsOrigin(origin)) return anonymousPrincipal(true);
      return personPrincipal(twitchUserId);
    }
    return anonymousPrincipal(false);
  };
  return {
    fromHeaders: (headers) =>
      resolve({
        authorization: header(headers, 'authorization'),
        overlayKey: header(headers, 'x-overlay-key'),
        cookie: header(headers, 'cookie'),
        origin: header(headers, 'origin'),
      }),
    fromConnectionParams: (params, upgradeHeaders) =>
      resolve({
        authorization: stringParam(params?.authorization) ?? stringParam(params?.Authorization),
        overlayKey: stringParam(params?.overlayKey),
        // The upgrade's Origin was already checked against the allow-list (graphql-ws.ts).
        cookie: upgradeHeaders ? header(upgradeHeaders, 'cookie') : undefined,
        origin: upgradeHeaders ? header(upgradeHeaders, 'origin') : undefined,
      }),
  };
}

/** The token of `Bearer <token>` (scheme case-insensitive, RFC 9110); anything else: undefined. */
export function bearerToken(authorization: string): string | undefined {
  const match = /^Bearer +(\S+) *$/i.exec(authorization.trim());
  return match?.[1];
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === 'function') return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

function stringParam(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

import type { IncomingMessage } from 'node:http';
import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * Content-Security-Policy per kind of response (@fastify/helmet). Every response starts from
 * NOTHING_ALLOWED (a JSON answer loads nothing and is framed nowhere); each HTML page adds exactly
 * what it uses. frame-ancestors 'none' everywhere: no page of ours may be framed (clickjacking).
 */
type Directives = Record<string, Array<string | ((request: IncomingMessage) => string)>>;

const NOTHING_ALLOWED: Directives = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/** The helmet configuration every route gets unless it sets its own `helmet` route option. */
export const defaultSecurityHeaders: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: NOTHING_ALLOWED },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
};

/** A route's `helmet` option for an HTML page that may load `extra` (added to NOTHING_ALLOWED). */
export function pageSecurity(extra: Directives, options: { styleNonce?: boolean } = {}) {
  return {
    contentSecurityPolicy: { useDefaults: false, directives: { ...NOTHING_ALLOWED, ...extra } },
    // helmet adds a fresh nonce per response to script-src and style-src (reply.cspNonce).
    ...(options.styleNonce ? { enableCSPNonces: true } : {}),
  };
}

/**
 * `ws://host` and `wss://host` of the page's own origin (the Host the browser asked for): CSP
 * level 3 lets 'self' cover them, older engines (OBS' embedded Chromium among them) need them
 * spelled out. A Host that is not a plain host[:port] adds nothing.
 */
export const ownWebSocketOrigins = [
  (request: IncomingMessage) => webSocketOrigin('ws', request),
  (request: IncomingMessage) => webSocketOrigin('wss', request),
];

function webSocketOrigin(scheme: 'ws' | 'wss', request: IncomingMessage): string {
  const host = request.headers.host ?? '';
  return /^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host) ? `${scheme}://${host}` : "'self'";
}

import { timingSafeEqual } from 'node:crypto';
import { anonymousPrincipal, overlayPrincipal, servicePrincipal, type Principal } from './principal';

export interface PrincipalResolverDeps {
  apiToken: string;
  findStreamerIdByOverlayKey(key: string): Promise<string | null>;
}

/** Fetch `Headers` (yoga's request) or Node's header record (`IncomingMessage.headers`, Fastify). */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | string[] | undefined>;

/** Turns what a client sent into its principal; the HTTP and WebSocket layers only call this. */
export interface PrincipalResolver {
  /** `Authorization: Bearer <API_TOKEN>` or `X-Overlay-Key: <key>`. */
  fromHeaders(headers: HeaderSource): Promise<Principal>;
  /** graphql-ws `connectionParams`: `authorization` (as the header) or `overlayKey`. */
  fromConnectionParams(params: Readonly<Record<string, unknown>> | null | undefined): Promise<Principal>;
}

interface Credentials {
  authorization: string | undefined;
  overlayKey: string | undefined;
}

export function createPrincipalResolver(deps: PrincipalResolverDeps): PrincipalResolver {
  const resolve = async ({ authorization, overlayKey }: Credentials): Promise<Principal> => {
    // An Authorization header decides alone, even when an overlay key comes with it.
    if (authorization !== undefined && authorization.trim() !== '') {
      const token = bearerToken(authorization);
      return token !== undefined && safeEqual(token, deps.apiToken) ? servicePrincipal : anonymousPrincipal(true);
    }
    if (overlayKey) {
      const streamerId = await deps.findStreamerIdByOverlayKey(overlayKey);
      return streamerId ? overlayPrincipal(streamerId) : anonymousPrincipal(true);
    }
    return anonymousPrincipal(false);
  };
  return {
    fromHeaders: (headers) => resolve({ authorization: header(headers, 'authorization'), overlayKey: header(headers, 'x-overlay-key') }),
    fromConnectionParams: (params) =>
      resolve({
        authorization: stringParam(params?.authorization) ?? stringParam(params?.Authorization),
        overlayKey: stringParam(params?.overlayKey),
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

import { timingSafeEqual } from 'node:crypto';

/** Who is calling: the bot/service principal, an overlay page of one streamer, or nobody. */
export type Principal =
  | { kind: 'service' }
  | { kind: 'overlay'; streamerId: string }
  | { kind: 'anonymous'; rejectedCredential: boolean };

export interface Credentials {
  authorization: string | undefined;
  overlayKey: string | undefined;
}

export interface PrincipalResolverDeps {
  apiToken: string;
  findStreamerIdByOverlayKey(key: string): Promise<string | null>;
}

/** Builds the read-only principal from a header or graphql-ws connectionParams. */
export async function resolvePrincipal(credentials: Credentials, deps: PrincipalResolverDeps): Promise<Principal> {
  const bearer = parseBearer(credentials.authorization);
  if (bearer !== undefined) {
    return safeEqual(bearer, deps.apiToken) ? { kind: 'service' } : { kind: 'anonymous', rejectedCredential: true };
  }
  if (credentials.overlayKey) {
    const streamerId = await deps.findStreamerIdByOverlayKey(credentials.overlayKey);
    return streamerId ? { kind: 'overlay', streamerId } : { kind: 'anonymous', rejectedCredential: true };
  }
  return { kind: 'anonymous', rejectedCredential: false };
}

function parseBearer(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1]!.trim() : header.trim();
}

function safeEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

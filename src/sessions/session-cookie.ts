import { createHash, randomBytes } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import { parseCookie } from 'cookie';

/** The dashboard session cookie: HttpOnly, SameSite=Lax, Path=/, Secure under an https PUBLIC_URL, signed. */
export const SESSION_COOKIE = 'kinoyu_session';
/** Binds a pending login to the browser that started it (short-lived, HttpOnly, signed). */
export const LOGIN_COOKIE = 'kinoyu_login';

/** A random 32-byte secret (session id, login state, login binding), base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database keeps of a secret: its SHA-256 (hex). */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function cookieOptions(publicUrl: string, maxAgeSeconds: number) {
  return {
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: publicUrl.startsWith('https:'),
    signed: true,
    maxAge: maxAgeSeconds,
  };
}

/**
 * Reads a signed cookie out of a raw `Cookie` header (the WebSocket upgrade and yoga's request
 * have no Fastify request): `cookie`'s parser (the one @fastify/cookie uses) and @fastify/cookie's signer with the same secret the HTTP
 * app signs with. Undefined when absent or when the signature does not verify.
 */
export function signedCookieReader(secret: string) {
  const signer = fastifyCookie.signerFactory(secret);
  return (cookieHeader: string | undefined, name: string): string | undefined => {
    if (!cookieHeader) return undefined;
    const raw = parseCookie(cookieHeader)[name];
    if (raw === undefined) return undefined;
    const unsigned = signer.unsign(raw);
    return unsigned.valid && unsigned.value !== null ? unsigned.value : undefined;
  };
}

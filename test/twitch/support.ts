/** Shared helpers for the Twitch client tests. */
import { expect } from 'vitest';
import type { TwitchAuthClient } from '../../src/twitch/twitch-auth.client.js';
import type { FakeTwitch } from '../stand-ins/twitch/fake-twitch.js';

export const REDIRECT_URI = 'http://127.0.0.1:4000/auth/twitch/callback';
export const RAFFLE_SCOPES = ['moderator:read:chatters', 'user:write:chat'];
export const BROADCASTER = { id: '1001', login: 'kinoyu', displayName: 'KinoYu' } as const;

/** Retries that keep tests fast. */
export const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 } as const;

/** Plays the browser: follows the authorize URL and returns where Twitch sends the user back. */
export async function followAuthorize(url: string): Promise<URL> {
  const response = await fetch(url, { redirect: 'manual' });
  if (response.status !== 302) {
    throw new Error(`authorize answered ${response.status}: ${await response.text()}`);
  }
  const location = response.headers.get('location');
  expect(location).toBeTruthy();
  return new URL(location ?? '');
}

/** Authorization code flow end to end; returns the code and the callback URL. */
export async function authorizeCode(
  auth: TwitchAuthClient,
  scopes: readonly string[] = RAFFLE_SCOPES,
  state = 'state-123',
): Promise<{ code: string; callback: URL }> {
  const callback = await followAuthorize(auth.authorizeUrl({ redirectUri: REDIRECT_URI, scopes, state }));
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in callback ${callback.toString()}`);
  return { code, callback };
}

export function linkBroadcaster(twitch: FakeTwitch, scopes: string[] = RAFFLE_SCOPES) {
  twitch.addUser({ ...BROADCASTER });
  return twitch.issueToken({ userId: BROADCASTER.id, scopes });
}

/** Helpers for the people tests: log in through the Twitch stand-in, GraphQL with a session cookie. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { FakeTwitch } from '../stand-ins/twitch/fake-twitch.js';
import type { TestApp } from '../support/test-app.js';
import { followAuthorize, onApp } from '../twitch/support.js';

export const PEOPLE_CONTRACT_FILE = fileURLToPath(new URL('../../../shared/contract/people.graphql', import.meta.url));

export function peopleContract(): string {
  return readFileSync(PEOPLE_CONTRACT_FILE, 'utf8');
}

export interface TwitchPerson {
  id: string;
  login: string;
  displayName: string;
}

/**
 * Plays the browser: GET /auth/login (302 to the stand-in's authorize, login cookie set), the
 * stand-in's consent, back to /auth/login/callback with that cookie (302 /dashboard, session
 * cookie set). Returns the session cookie as a browser would send it (`name=value`).
 */
export async function logIn(api: TestApp, twitch: FakeTwitch, person: TwitchPerson): Promise<{ cookie: string; setCookie: string }> {
  twitch.addUser({ ...person });
  twitch.setConsent({ userId: person.id });
  const start = await fetch(new URL('/auth/login', api.url), { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location') ?? '');
  expect(`${authorize.origin}${authorize.pathname}`).toBe(`${twitch.authUrl}/authorize`);
  const loginCookie = cookieNamed(start.headers.getSetCookie(), 'kinoyu_login');
  const callback = await followAuthorize(authorize.toString());
  expect(callback.pathname).toBe('/auth/login/callback');
  const back = await fetch(onApp(api, callback), { headers: { cookie: loginCookie }, redirect: 'manual' });
  expect(back.status, await back.clone().text()).toBe(302);
  expect(back.headers.get('location')).toBe('/dashboard');
  const setCookie = back.headers.getSetCookie().find((line) => line.startsWith('kinoyu_session=')) ?? '';
  return { cookie: cookieNamed(back.headers.getSetCookie(), 'kinoyu_session'), setCookie };
}

export function cookieNamed(setCookie: string[], name: string): string {
  const line = setCookie.find((entry) => entry.startsWith(`${name}=`));
  if (!line) throw new Error(`no ${name} cookie in ${JSON.stringify(setCookie)}`);
  return line.split(';')[0]!;
}

/** POST /graphql as a browser page of `origin` would (cookie, Origin), no bearer token. */
export async function asBrowser<T = any>(
  api: TestApp,
  cookie: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { operationName?: string; origin?: string | null } = {},
) {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json', cookie };
  const origin = options.origin === undefined ? new URL(api.url).origin : options.origin;
  if (origin !== null) headers.origin = origin;
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables, operationName: options.operationName }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  return { status: response.status, ...body };
}

export const VIEWER = /* GraphQL */ `
  query Viewer { viewer { twitchUserId login displayName streamers { role streamer { id login displayName linked } } } }
`;

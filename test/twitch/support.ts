/** Shared helpers for the Twitch tests: the clients against the stand-in, and real apps configured for it. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { TwitchAuthClient } from '../../src/twitch/api';
import { createFakeTwitch, type FakeTwitch, type FakeTwitchOptions } from '../stand-ins/twitch/fake-twitch.js';
import { newGuildId } from '../support/factories.js';
import { contractOperation, execute } from '../support/graphql.js';
import { createScratchDatabase, realPostgresUrl } from '../support/services.js';
import { startTestApp, type TestApp, type TestAppOptions } from '../support/test-app.js';

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

// ---- Real apps configured against the stand-in, driven through their HTTP endpoints. ----

export function twitchEnv(twitch: FakeTwitch, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    TWITCH_CLIENT_ID: twitch.clientId,
    TWITCH_CLIENT_SECRET: twitch.clientSecret,
    TWITCH_AUTH_URL: twitch.authUrl,
    TWITCH_API_URL: twitch.apiUrl,
    TWITCH_EVENTSUB_WS_URL: twitch.eventsubUrl,
    TWITCH_CHAT_POLL_MS: '250',
    OUTBOX_POLL_MS: '100',
    OUTBOX_RETRY_BASE_MS: '50',
    // Tests count win announcements; start-announcement.test.ts turns the start message on.
    TWITCH_START_ANNOUNCEMENT: 'false',
    ...extra,
  };
}

/** Starts an app whose Twitch is the stand-in (and whose rounds read the stand-in's chat). */
export function startTwitchApp(twitch: FakeTwitch, options: TestAppOptions = {}): Promise<TestApp> {
  return startTestApp({ ...options, env: twitchEnv(twitch, options.env) });
}

// ---- The fixture: a fresh stand-in, and apps and databases that go away with it. ----

export interface FakeTwitchFixture {
  /** The running stand-in (only inside tests and hooks). */
  readonly twitch: FakeTwitch;
  /** Starts an app whose Twitch is the stand-in; stopped when the stand-in goes. */
  app(options?: TestAppOptions): Promise<TestApp>;
  /** One PostgreSQL database for several app instances (skip the case without a real server). Dropped afterwards. */
  sharedDatabase(): Promise<string>;
  /** Runs `cleanup` when the stand-in goes (before it closes), last registered first. */
  defer(cleanup: () => Promise<void>): void;
}

/**
 * Registers the hooks that start a Twitch stand-in before each test (or once for the file with
 * `per: 'file'`) and, afterwards, stop the apps and drop the databases made through the fixture,
 * then close the stand-in.
 */
export function useFakeTwitch(options: { per?: 'test' | 'file'; twitch?: FakeTwitchOptions } = {}): FakeTwitchFixture {
  let current: FakeTwitch | undefined;
  const cleanups: Array<() => Promise<void>> = [];
  const defer = (cleanup: () => Promise<void>) => void cleanups.push(cleanup);
  const [before, after] = options.per === 'file' ? [beforeAll, afterAll] : [beforeEach, afterEach];
  before(async () => {
    current = await createFakeTwitch(options.twitch);
  });
  after(async () => {
    try {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    } finally {
      await current?.close();
      current = undefined;
    }
  });
  const twitch = () => {
    if (!current) throw new Error('the Twitch stand-in runs only inside a test (useFakeTwitch)');
    return current;
  };
  return {
    get twitch() {
      return twitch();
    },
    defer,
    async app(appOptions = {}) {
      const started = await startTwitchApp(twitch(), appOptions);
      defer(() => started.stop());
      return started;
    },
    async sharedDatabase() {
      const server = await realPostgresUrl();
      if (!server) throw new Error('sharedDatabase needs a real PostgreSQL: skip this case without one');
      const scratch = await createScratchDatabase(server);
      defer(() => scratch.drop());
      return scratch.url;
    },
  };
}

/** Every log line an app wrote (debug and up), to check that no token ever shows up. */
export class LogCapture {
  readonly lines: string[] = [];
  readonly logger = pino(
    { level: 'debug' },
    new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  );

  text(): string {
    return this.lines.join('');
  }
}

export async function startLink(api: TestApp, guildId: string, discordUserId?: string): Promise<string> {
  const { startTwitchLink } = await execute(
    api.url,
    `mutation($guildId: String!, $discordUserId: String) {
      startTwitchLink(guildId: $guildId, discordUserId: $discordUserId) {
        __typename ... on TwitchLinkStarted { authorizeUrl expiresAt } ... on Error { message }
      }
    }`,
    { guildId, discordUserId },
  );
  if (startTwitchLink.__typename !== 'TwitchLinkStarted') throw new Error(`startTwitchLink: ${JSON.stringify(startTwitchLink)}`);
  return startTwitchLink.authorizeUrl as string;
}

/** GETs the URL Twitch sent the browser back to, on our server (it names localhost; we use 127.0.0.1). */
export async function openCallback(api: TestApp, callback: URL, headers: Record<string, string> = {}) {
  const local = new URL(`${callback.pathname}${callback.search}`, api.url);
  const response = await fetch(local, { headers, redirect: 'manual' });
  return { status: response.status, html: await response.text(), contentType: response.headers.get('content-type') };
}

/** The local address of a URL our server handed out (it names localhost; we use 127.0.0.1). */
export function onApp(api: TestApp, url: string | URL): URL {
  const parsed = new URL(url);
  return new URL(`${parsed.pathname}${parsed.search}`, api.url);
}

/**
 * Plays the streamer's browser on our start page: loads it (the link the bot hands out), then
 * presses its button (a same-origin form POST). Returns the page, Twitch's authorize URL the
 * button redirected to, and the binding cookie it set (`name=value`, for the callback).
 */
export async function pressStart(api: TestApp, startUrl: string, headers: Record<string, string> = {}) {
  const shown = await fetch(onApp(api, startUrl), { headers });
  const html = await shown.text();
  if (shown.status !== 200) throw new Error(`start page answered ${shown.status}: ${html}`);
  const state = new URL(startUrl).searchParams.get('state') ?? '';
  const pressed = await fetch(new URL('/auth/twitch/start', api.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams({ state }).toString(),
    redirect: 'manual',
  });
  if (pressed.status !== 303) throw new Error(`start button answered ${pressed.status}: ${await pressed.text()}`);
  const setCookie = pressed.headers.getSetCookie();
  const cookie = setCookie[0]?.split(';')[0] ?? '';
  return { html, authorizeUrl: pressed.headers.get('location') ?? '', setCookie, cookie, state };
}

/** Start page, Twitch's consent page, back: the callback URL and the cookie the browser holds. */
export async function authorizeInBrowser(api: TestApp, guildId: string) {
  const start = await pressStart(api, await startLink(api, guildId));
  const callback = await followAuthorize(start.authorizeUrl);
  return { callback, cookie: start.cookie, start };
}

/** Plays the streamer's browser: our start page and its button, Twitch's consent page, back to our callback. */
export async function browserLink(api: TestApp, guildId: string) {
  const { callback, cookie, start } = await authorizeInBrowser(api, guildId);
  return { ...(await openCallback(api, callback, { cookie })), callback, authorizeUrl: start.authorizeUrl, cookie };
}

export interface LinkedStreamer {
  id: string;
  guildId: string;
  twitchUserId: string;
  login: string;
  linked: boolean;
}

/** A guild whose streamer went through the whole link flow as `user`. */
export async function linkedStreamer(
  api: TestApp,
  twitch: FakeTwitch,
  user: { id: string; login: string; displayName: string } = BROADCASTER,
  guildId = newGuildId(),
): Promise<LinkedStreamer> {
  twitch.addUser({ ...user });
  twitch.setConsent({ userId: user.id });
  const page = await browserLink(api, guildId);
  if (page.status !== 200) throw new Error(`link failed: ${page.status} ${page.html}`);
  const { streamerByGuild } = await execute(api.url, contractOperation('StreamerByGuild'), { guildId });
  return streamerByGuild as LinkedStreamer;
}

export const STREAMER_STATUS = /* GraphQL */ `
  query Status($id: ID!) {
    streamer(id: $id) {
      id
      linked
      twitchUserId
      login
      twitchStatus { linked scopes lastValidatedAt unlinkedAt unlinkedReason }
      activeRaffle { id status }
    }
  }
`;

export async function streamerStatus(api: TestApp, id: string) {
  return (await execute(api.url, STREAMER_STATUS, { id })).streamer;
}

export const RAFFLE_STATE = /* GraphQL */ `
  query Raffle($id: ID!) { raffle(id: $id) { id status endReason endedAt } }
`;

export async function raffleState(api: TestApp, id: string) {
  return (await execute(api.url, RAFFLE_STATE, { id })).raffle as { id: string; status: string; endReason: string | null };
}

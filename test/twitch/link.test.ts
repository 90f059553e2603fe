/**
 * Linking a guild to Twitch through the real endpoints: startTwitchLink, our start page and its
 * button (the link is bound to that browser), the stand-in's consent page, our callback.
 */
import { createHash } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/crypto/token-cipher';
import { createTwitchAuthClient } from '../../src/twitch/api';
import { twitchTokenBinding } from '../../src/twitch/credentials/credential-store';
import { TWITCH_SCOPES } from '../../src/twitch/link/link.service';
import { launchBrowser } from '../support/browser';
import { describeWith } from '../support/describe-with';
import { newGuildId } from '../support/factories';
import { contractOperation, execute, request } from '../support/graphql';
import { startTestApp, TEST_ENCRYPTION_KEY, type TestApp } from '../support/test-app';
import {
  authorizeInBrowser,
  followAuthorize,
  LogCapture,
  linkedStreamer,
  onApp,
  openCallback,
  pressStart,
  RAFFLE_SCOPES,
  startLink,
  startTwitchApp,
  streamerStatus,
  useFakeTwitch,
} from './support';

const fake = useFakeTwitch({ per: 'file' });
let api: TestApp;
const logs = new LogCapture();

/**
 * A fresh app for each group of cases: a link is three requests to the rate-limited /auth/*
 * routes now (start page, its button, callback), and one app's limit is 30 a minute per address.
 */
function useApp(): void {
  beforeAll(async () => {
    api = await fake.app({ logger: logs.logger });
  });
}

const COMPLETE_WITH_GUILD = /* GraphQL */ `
  mutation($code: String!, $state: String!, $guildId: String, $binding: String) {
    completeTwitchLink(code: $code, state: $state, guildId: $guildId, binding: $binding) {
      __typename
      ... on Streamer { id guildId linked }
      ... on TwitchLinkError { reason message }
      ... on Error { message }
    }
  }
`;

/** The mutation as a client that played the browser: `cookie` is the start page's `name=value`. */
async function complete(code: string, state: string, guildId?: string, cookie?: string) {
  const binding = cookie?.split('=')[1];
  const response = await request(api.url, COMPLETE_WITH_GUILD, { code, state, guildId, binding }, { token: null });
  expect(response.errors).toBeUndefined();
  return response.data.completeTwitchLink;
}

async function credentialCount(streamerGuildId: string): Promise<number> {
  return api.services.db.twitchCredential.count({ where: { streamer: { guildId: streamerGuildId } } });
}

const START_WITH_NAME = /* GraphQL */ `
  mutation($guildId: String!, $guildName: String) {
    startTwitchLink(guildId: $guildId, guildName: $guildName) { __typename ... on TwitchLinkStarted { authorizeUrl } ... on Error { message } }
  }
`;

/** startTwitchLink as the bot sends it (with the server's name); returns our start page's URL. */
async function startNamed(guildId: string, guildName: string): Promise<string> {
  const { startTwitchLink } = await execute(api.url, START_WITH_NAME, { guildId, guildName });
  expect(startTwitchLink.__typename).toBe('TwitchLinkStarted');
  return startTwitchLink.authorizeUrl as string;
}

/** The streamer's browser through the start page (started with a server name) and Twitch's consent page. */
async function authorizeAs(guildId: string, guildName: string) {
  const start = await pressStart(api, await startNamed(guildId, guildName));
  return { back: await followAuthorize(start.authorizeUrl), cookie: start.cookie, start };
}

/** The start page's form POST, with the headers a browser (or another site) would send. */
function pressButton(state: string, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' }) {
  return fetch(new URL('/auth/twitch/start', api.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ state }).toString(),
    redirect: 'manual',
  });
}

async function streamerCount(guildId: string): Promise<number> {
  return api.services.db.streamer.count({ where: { guildId } });
}

let userCounter = 0;
function newTwitchUser() {
  userCounter += 1;
  const user = { id: String(7_000 + userCounter), login: `streamer_${userCounter}`, displayName: `Streamer_${userCounter}` };
  fake.twitch.addUser(user);
  return user;
}

describe('the link the bot hands out', () => {
  useApp();

  it('is our start page with a fresh 32-byte state; only its SHA-256 is stored, bound to the guild, valid 10 minutes', async () => {
    const guildId = newGuildId();
    const first = new URL(await startLink(api, guildId));
    const second = new URL(await startLink(api, guildId));
    expect(`${first.origin}${first.pathname}`).toBe(`http://localhost:${api.port}/auth/twitch/start`);
    const state = first.searchParams.get('state')!;
    expect(Buffer.from(state, 'base64url')).toHaveLength(32);
    expect(second.searchParams.get('state')).not.toBe(state);

    const rows = await api.services.db.$queryRaw<{ state_hash: string; guild_id: string; expires_at: Date; binding_hash: string | null }[]>`
      SELECT state_hash, guild_id, expires_at, binding_hash FROM twitch_link_states WHERE guild_id = ${guildId}`;
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => row.state_hash)).toContain(createHash('sha256').update(state).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(state);
    expect(rows.every((row) => row.binding_hash === null)).toBe(true);
    const ttl = rows[0]!.expires_at.getTime() - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
  });

  it("the start page's button sends the browser to Twitch with our client id, the exact redirect URI, the raffle scopes, the state and force_verify=true", async () => {
    const startUrl = await startLink(api, newGuildId());
    const { authorizeUrl, state } = await pressStart(api, startUrl);
    const twitch = new URL(authorizeUrl);
    expect(`${twitch.origin}${twitch.pathname}`).toBe(`${fake.twitch.authUrl}/authorize`);
    expect(twitch.searchParams.get('response_type')).toBe('code');
    expect(twitch.searchParams.get('client_id')).toBe(fake.twitch.clientId);
    expect(twitch.searchParams.get('redirect_uri')).toBe(`http://localhost:${api.port}/auth/twitch/callback`);
    expect(twitch.searchParams.get('scope')).toBe(TWITCH_SCOPES.join(' '));
    expect(twitch.searchParams.get('state')).toBe(state);
    // Twitch shows its consent page even to someone who approved the app before.
    expect(twitch.searchParams.get('force_verify')).toBe('true');
  });

  it('uses PUBLIC_URL for the start page and the redirect URI, and the cookie is Secure there', async () => {
    const other = await startTwitchApp(fake.twitch, { env: { PUBLIC_URL: 'https://raffles.kinoyu.example/' } });
    try {
      const startUrl = await startLink(other, newGuildId());
      expect(startUrl).toMatch(/^https:\/\/raffles\.kinoyu\.example\/auth\/twitch\/start\?state=/);
      const pressed = await pressStart(other, startUrl);
      expect(new URL(pressed.authorizeUrl).searchParams.get('redirect_uri')).toBe('https://raffles.kinoyu.example/auth/twitch/callback');
      expect(pressed.setCookie[0]).toMatch(/;\s*Secure/i);
    } finally {
      await other.stop();
    }
  });

  it('is for the service principal only and checks its input', async () => {
    const anonymous = await request(api.url, contractOperation('StartTwitchLink'), { guildId: newGuildId() }, { token: null });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const { startTwitchLink } = await execute(api.url, contractOperation('StartTwitchLink'), { guildId: 'not-a-guild' });
    expect(startTwitchLink).toMatchObject({ __typename: 'ValidationError' });
  });
});

describe('bound to the browser that pressed the start page button (issue 10 item 3)', () => {
  useApp();

  it('the start page names the server and the scopes, runs only its own continue script (by hash), changes nothing; its button is a same-origin form', async () => {
    const guildId = newGuildId();
    const startUrl = await startNamed(guildId, 'Servidor <b>do</b> Ataque');
    const response = await fetch(onApp(api, startUrl), { headers: { 'accept-language': 'en' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain('data-outcome="start"');
    expect(html).toContain('Servidor &#60;b&#62;do&#60;/b&#62; Ataque'); // the name, escaped
    expect(html).toContain(guildId);
    for (const scope of RAFFLE_SCOPES) expect(html).toContain(scope);
    expect(html).toMatch(/<form id="continue" method="post" action="start">/); // relative: /auth/twitch/start
    expect(html).toContain('continues to Twitch by itself in a few seconds');
    expect(html).not.toContain(fake.twitch.authUrl); // no way to Twitch but the form
    // One inline script, which presses the form; script-src allows exactly its SHA-256.
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);
    expect(scripts).toHaveLength(1);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(scripts[0]).toContain("getElementById('continue')");
    expect(scripts[0]).toContain('.submit()');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    const directives = csp.split(';').map((directive) => directive.trim());
    const scriptHash = createHash('sha256').update(scripts[0]!, 'utf8').digest('base64');
    expect(directives.filter((directive) => directive.startsWith('script-src'))).toEqual([`script-src 'sha256-${scriptHash}'`]);
    // The stylesheet by a per-response nonce, the one on the page's <style>.
    const styleNonce = html.match(/<style nonce="([^"]+)">/)?.[1];
    expect(styleNonce).toBeTruthy();
    expect(directives.filter((directive) => directive.startsWith('style-src'))).toEqual([`style-src 'nonce-${styleNonce}'`]);
    expect(csp).toContain(`form-action 'self' ${new URL(fake.twitch.authUrl).origin}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    // Loading it bound nothing (link checkers and prefetchers may load it).
    expect(response.headers.getSetCookie()).toEqual([]);
    const [row] = await api.services.db.twitchLinkState.findMany({ where: { guildId } });
    expect(row).toMatchObject({ guildName: 'Servidor <b>do</b> Ataque', bindingHash: null });
    // pt-BR unless the browser prefers English.
    const portuguese = await (await fetch(onApp(api, startUrl))).text();
    expect(portuguese).toContain('Continuar na Twitch');
    expect(portuguese).toContain('segue sozinha para a Twitch em alguns segundos');
    expect(portuguese.match(/<style nonce="([^"]+)">/)?.[1]).not.toBe(styleNonce); // fresh per response
  });

  it("the button's cookie: HttpOnly, SameSite=Lax, Path=/auth/twitch, not Secure on http, gone with the link; its SHA-256 is on the state", async () => {
    const guildId = newGuildId();
    const pressed = await pressStart(api, await startLink(api, guildId));
    expect(pressed.setCookie).toHaveLength(1);
    const cookie = pressed.setCookie[0]!;
    const [nameValue, ...attributes] = cookie.split(';').map((part) => part.trim());
    const [name, value] = nameValue!.split('=');
    expect(name).toBe('kinoyu_twitch_link');
    expect(Buffer.from(value!, 'base64url')).toHaveLength(32);
    const lower = attributes.map((attribute) => attribute.toLowerCase());
    expect(lower).toContain('httponly');
    expect(lower).toContain('samesite=lax');
    expect(lower).toContain('path=/auth/twitch');
    expect(lower).not.toContain('secure');
    const maxAge = Number(lower.find((attribute) => attribute.startsWith('max-age='))?.split('=')[1]);
    expect(maxAge).toBeGreaterThan(9 * 60);
    expect(maxAge).toBeLessThanOrEqual(10 * 60);
    const [row] = await api.services.db.twitchLinkState.findMany({ where: { guildId } });
    expect(row!.bindingHash).toBe(createHash('sha256').update(value!).digest('hex'));
    // Neither the state nor the binding shows up in the logs.
    expect(logs.text()).not.toContain(pressed.state);
    expect(logs.text()).not.toContain(value!);
  });

  it("the attack: guild A's link opened by the streamer's browser without the start page's cookie is refused, and nothing is linked", async () => {
    // The streamer approved the app before; the attacker ran /link in their own server A and
    // sends the streamer Twitch's authorize URL built with A's state.
    const victim = newTwitchUser();
    const guildA = newGuildId();
    const startUrl = await startNamed(guildA, "Attacker's server");
    const state = new URL(startUrl).searchParams.get('state')!;
    const auth = createTwitchAuthClient({ authUrl: fake.twitch.authUrl, clientId: fake.twitch.clientId, clientSecret: 'unused' });
    const crafted = auth.authorizeUrl({ redirectUri: `http://localhost:${api.port}/auth/twitch/callback`, scopes: TWITCH_SCOPES, state });
    fake.twitch.setConsent({ userId: victim.id });
    const back = await followAuthorize(crafted);
    const exchangesBefore = fake.twitch.requestCount('/oauth2/token');

    const page = await openCallback(api, back, { 'accept-language': 'en' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('data-reason="BROWSER_MISMATCH"');
    expect(page.html).toContain('Open the link from the same browser');
    expect(await streamerCount(guildA)).toBe(0);
    expect(await api.services.db.streamer.count({ where: { twitchUserId: victim.id } })).toBe(0);
    expect(fake.twitch.requestCount('/oauth2/token')).toBe(exchangesBefore); // the code was not even spent

    // The refusal ends the link: nothing finishes it afterwards. Not the attacker's start page
    // button, not a callback with some cookie, not the mutation with the code + state the
    // streamer might paste to them ("it gave an error").
    expect((await pressButton(state)).status).toBe(400);
    const otherCookie = await openCallback(api, back, { cookie: 'kinoyu_twitch_link=someone-elses-binding', 'accept-language': 'pt-BR' });
    expect(otherCookie.status).toBe(400);
    expect(otherCookie.html).toContain('data-reason="USED_STATE"');
    expect(await complete(back.searchParams.get('code')!, state)).toMatchObject({ reason: 'USED_STATE' });
    expect(await complete(back.searchParams.get('code')!, state, undefined, 'kinoyu_twitch_link=a-guess')).toMatchObject({ reason: 'USED_STATE' });
    expect(await streamerCount(guildA)).toBe(0);
    expect(fake.twitch.requestCount('/oauth2/token')).toBe(exchangesBefore);
  });

  it('the attacker pressing the button in their own browser first does not help: the streamer\'s callback has no matching cookie', async () => {
    const victim = newTwitchUser();
    const guildA = newGuildId();
    const startUrl = await startNamed(guildA, "Attacker's server");
    const state = new URL(startUrl).searchParams.get('state')!;
    const attacker = await pressButton(state);
    expect(attacker.status).toBe(303);
    fake.twitch.setConsent({ userId: victim.id });
    const back = await followAuthorize(attacker.headers.get('location')!);
    const exchangesBefore = fake.twitch.requestCount('/oauth2/token');
    const page = await openCallback(api, back, { 'accept-language': 'pt-BR' });
    expect(page.html).toContain('data-reason="BROWSER_MISMATCH"');
    expect(page.html).toContain('mesmo navegador');
    expect(await complete(back.searchParams.get('code')!, state)).toMatchObject({ reason: 'USED_STATE' });
    expect(await streamerCount(guildA)).toBe(0);
    expect(await api.services.db.streamer.count({ where: { twitchUserId: victim.id } })).toBe(0);
    expect(fake.twitch.requestCount('/oauth2/token')).toBe(exchangesBefore);
  });

  it('another site cannot press the button for the person: cross-site, foreign Origin or neither is 403 and binds nothing', async () => {
    const guildId = newGuildId();
    const state = new URL(await startLink(api, guildId)).searchParams.get('state')!;
    for (const headers of [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'https://evil.example' },
      {} as Record<string, string>,
    ]) {
      const response = await pressButton(state, headers);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('data-reason="CROSS_SITE"');
      expect(response.headers.getSetCookie()).toEqual([]);
    }
    const [row] = await api.services.db.twitchLinkState.findMany({ where: { guildId } });
    expect(row!.bindingHash).toBeNull();
    // A browser without Sec-Fetch-Site whose Origin is ours may.
    const ours = await pressButton(state, { origin: new URL(api.url.replace('127.0.0.1', 'localhost')).origin });
    expect(ours.status).toBe(303);
  });

  it('a used link: the start page and its button refuse it', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const { callback: back, cookie, start } = await authorizeInBrowser(api, guildId);
    expect((await openCallback(api, back, { cookie })).status).toBe(200);
    const again = await fetch(onApp(api, `${api.url}/auth/twitch/start?state=${start.state}`));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('data-reason="USED_STATE"');
    const pressed = await pressButton(start.state);
    expect(pressed.status).toBe(400);
    expect(pressed.headers.getSetCookie()).toEqual([]);
    const unknown = await fetch(`${api.url}/auth/twitch/start?state=not-a-state-we-issued`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('data-reason="INVALID_STATE"');
  });
});

describe('linking in the browser', () => {
  useApp();

  it('follows Twitch back to our callback, shows success and links the guild', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const { back, cookie } = await authorizeAs(guildId, 'Cozinha da KinoYu');
    expect(back.pathname).toBe('/auth/twitch/callback');
    const page = await openCallback(api, back, { 'accept-language': 'en-US,en;q=0.8', cookie });
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/text\/html/);
    expect(page.html).toContain('data-outcome="linked"');
    // It names the Discord server (name and id) and the Twitch account.
    expect(page.html).toContain('Cozinha da KinoYu');
    expect(page.html).toContain(guildId);
    expect(page.html).toContain(user.displayName);
    expect(page.html).not.toContain(back.searchParams.get('code')!);
    expect(page.html).not.toContain(back.searchParams.get('state')!);

    const { streamerByGuild } = await execute(api.url, contractOperation('StreamerByGuild'), { guildId });
    expect(streamerByGuild).toMatchObject({ guildId, linked: true, twitchUserId: user.id, login: user.login, displayName: user.displayName });
    const status = await streamerStatus(api, streamerByGuild.id);
    expect(status.twitchStatus).toMatchObject({ linked: true, unlinkedReason: null });
    expect(status.twitchStatus.scopes.sort()).toEqual([...TWITCH_SCOPES].sort());
    expect(status.twitchStatus.lastValidatedAt).toBeTruthy();

    // The same link again: the state was used.
    const again = await openCallback(api, back, { cookie });
    expect(again.status).toBe(400);
    expect(again.html).toContain('data-reason="USED_STATE"');
  });

  it('completes through the mutation too, without a token: code + state as the contract has it; a binding, when given, must match', async () => {
    // (a) The contract's operation (code and state only), and no start page button was pressed:
    // the code Twitch sent back is the capability, so it links.
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const state = new URL(await startLink(api, guildId)).searchParams.get('state')!;
    const auth = createTwitchAuthClient({ authUrl: fake.twitch.authUrl, clientId: fake.twitch.clientId, clientSecret: 'unused' });
    const back = await followAuthorize(
      auth.authorizeUrl({ redirectUri: `http://localhost:${api.port}/auth/twitch/callback`, scopes: TWITCH_SCOPES, state }),
    );
    expect((await api.services.db.twitchLinkState.findMany({ where: { guildId } }))[0]!.bindingHash).toBeNull();
    const variables = { code: back.searchParams.get('code')!, state: back.searchParams.get('state')! };
    const linked = await request(api.url, contractOperation('CompleteTwitchLink'), variables, { token: null });
    expect(linked.errors).toBeUndefined();
    expect(linked.data.completeTwitchLink).toMatchObject({ __typename: 'Streamer', guildId, linked: true, twitchUserId: user.id });
    expect(await credentialCount(guildId)).toBe(1);
    const reused = await request(api.url, contractOperation('CompleteTwitchLink'), variables, { token: null });
    expect(reused.data.completeTwitchLink).toMatchObject({ __typename: 'TwitchLinkError', message: expect.stringMatching(/already used/) });

    // (b) The right binding links a bound link.
    const other = newTwitchUser();
    fake.twitch.setConsent({ userId: other.id });
    const boundGuild = newGuildId();
    const bound = await authorizeInBrowser(api, boundGuild);
    const code = bound.callback.searchParams.get('code')!;
    const boundState = bound.callback.searchParams.get('state')!;
    expect(await complete(code, boundState, boundGuild, bound.cookie)).toMatchObject({ __typename: 'Streamer', guildId: boundGuild, linked: true });
    const again = await complete(code, boundState, boundGuild, bound.cookie);
    expect(again).toMatchObject({ __typename: 'TwitchLinkError', reason: 'USED_STATE' });
    expect(again.message).toMatch(/already used/);

    // (c) A wrong (or empty) binding: refused before the code is spent, nothing linked, and the
    // link is over: not even the right binding finishes it afterwards.
    for (const wrong of ['kinoyu_twitch_link=not-the-binding', 'kinoyu_twitch_link=']) {
      const guild = newGuildId();
      const started = await authorizeInBrowser(api, guild);
      const before = fake.twitch.requestCount('/oauth2/token');
      const args = [started.callback.searchParams.get('code')!, started.callback.searchParams.get('state')!, guild] as const;
      expect(await complete(...args, wrong)).toMatchObject({ reason: 'BROWSER_MISMATCH' });
      expect(fake.twitch.requestCount('/oauth2/token')).toBe(before);
      expect(await credentialCount(guild)).toBe(0);
      expect(await streamerCount(guild)).toBe(0);
      expect(await complete(...args, started.cookie)).toMatchObject({ reason: 'USED_STATE' });
      expect(await streamerCount(guild)).toBe(0);
    }
  });

  it('relinking replaces the tokens; a Twitch account linked to another guild is refused until that link ends', async () => {
    const user = newTwitchUser();
    const first = await linkedStreamer(api, fake.twitch, user);
    const before = await api.services.db.twitchCredential.findUniqueOrThrow({ where: { streamerId: first.id } });
    const relinked = await linkedStreamer(api, fake.twitch, user, first.guildId);
    expect(relinked.id).toBe(first.id);
    const after = await api.services.db.twitchCredential.findUniqueOrThrow({ where: { streamerId: first.id } });
    expect(after.accessTokenEnc).not.toBe(before.accessTokenEnc);

    const otherGuild = newGuildId();
    fake.twitch.setConsent({ userId: user.id });
    const { callback: back, cookie } = await authorizeInBrowser(api, otherGuild);
    const refused = await complete(back.searchParams.get('code')!, back.searchParams.get('state')!, undefined, cookie);
    expect(refused).toMatchObject({ __typename: 'TwitchLinkError', reason: 'ALREADY_LINKED_ELSEWHERE' });
    expect(await credentialCount(otherGuild)).toBe(0);
    expect((await streamerStatus(api, first.id)).linked).toBe(true);

    // After the first guild unlinks, the account may move.
    const { unlinkTwitch } = await execute(api.url, contractOperation('UnlinkTwitch'), { streamerId: first.id });
    expect(unlinkTwitch).toMatchObject({ __typename: 'Streamer', linked: false });
    const moved = await linkedStreamer(api, fake.twitch, user, otherGuild);
    expect(moved).toMatchObject({ linked: true, twitchUserId: user.id });
    expect((await streamerStatus(api, first.id)).twitchUserId).toBeNull();
  });
});

describeWith({ chromium: true }, 'the start page in a real browser', () => {
  useApp();
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('continues to Twitch by itself: the link opened, nothing clicked, ends on the success page and links the guild', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id }); // the stand-in's /authorize then redirects back at once
    const guildId = newGuildId();
    const startUrl = await startNamed(guildId, 'Sala do Navegador');
    const context = await browser.newContext({ locale: 'en-US' });
    try {
      const page = await context.newPage();
      const consoleErrors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      const shown = await page.goto(startUrl);
      expect(shown?.status()).toBe(200);
      expect(await shown?.text()).toContain('data-outcome="start"');
      // No click: the page's own script presses the form after a few seconds.
      await page.waitForURL((url) => url.pathname === '/auth/twitch/callback', { timeout: 15_000 });
      const main = page.locator('main[data-outcome="linked"]');
      await main.waitFor({ timeout: 15_000 });
      const text = await main.innerText();
      expect(text).toContain('Sala do Navegador');
      expect(text).toContain(guildId);
      expect(text).toContain(user.displayName);
      expect(consoleErrors).toEqual([]); // no CSP refusal on the way
    } finally {
      await context.close();
    }
    const { streamerByGuild } = await execute(api.url, contractOperation('StreamerByGuild'), { guildId });
    expect(streamerByGuild).toMatchObject({ guildId, linked: true, twitchUserId: user.id, login: user.login });
  }, 30_000);
});

describe('bad input leaves nothing half-written', () => {
  useApp();

  it('an unknown, missing or expired state', async () => {
    expect(await complete('somecode', 'not-a-state-we-issued')).toMatchObject({ reason: 'INVALID_STATE' });
    const missing = await fetch(`${api.url}/auth/twitch/callback?code=abc`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('data-reason="INVALID_STATE"');

    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const { callback: back, cookie, start } = await authorizeInBrowser(api, guildId);
    const state = back.searchParams.get('state')!;
    await api.services.db.twitchLinkState.update({
      where: { stateHash: createHash('sha256').update(state).digest('hex') },
      data: { expiresAt: new Date(Date.now() - 1_000) },
    });
    const page = await openCallback(api, back, { cookie });
    expect(page.status).toBe(400);
    expect(page.html).toContain('data-reason="EXPIRED_STATE"');
    expect(page.html).toContain('expirou'); // pt-BR unless the browser prefers English
    expect(await complete(back.searchParams.get('code')!, state, undefined, cookie)).toMatchObject({ reason: 'EXPIRED_STATE' });
    expect(await credentialCount(guildId)).toBe(0);
    // The start page and its button say so too, and bind nothing.
    const startPage = await fetch(onApp(api, `${api.url}/auth/twitch/start?state=${start.state}`));
    expect(startPage.status).toBe(400);
    expect(await startPage.text()).toContain('data-reason="EXPIRED_STATE"');
    const pressed = await pressButton(start.state);
    expect(pressed.status).toBe(400);
    expect(pressed.headers.getSetCookie()).toEqual([]);
  });

  it('a state started for another guild (the state stays usable for its own guild)', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const { callback: back, cookie } = await authorizeInBrowser(api, guildId);
    const code = back.searchParams.get('code')!;
    const state = back.searchParams.get('state')!;
    expect(await complete(code, state, newGuildId(), cookie)).toMatchObject({ reason: 'GUILD_MISMATCH' });
    expect(await credentialCount(guildId)).toBe(0);
    expect(await complete(code, state, guildId, cookie)).toMatchObject({ __typename: 'Streamer', guildId, linked: true });
  });

  it("Twitch's error redirect (the streamer clicked Cancel)", async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id, deny: true });
    const guildId = newGuildId();
    const { callback: back, cookie } = await authorizeInBrowser(api, guildId);
    expect(back.searchParams.get('error')).toBe('access_denied');
    const page = await openCallback(api, back, { 'accept-language': 'en', cookie });
    expect(page.status).toBe(400);
    expect(page.html).toContain('data-reason="ACCESS_DENIED"');
    // Our own sentence, never Twitch's error_description (text anyone can put in a link).
    expect(page.html).toContain('You did not authorize the app on Twitch.');
    expect(page.html).not.toContain('The user denied you access');
    expect(await api.services.db.streamer.count({ where: { guildId } })).toBe(0);
  });

  it('a garbage code, and a token endpoint that fails with 503 (a retry then works)', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const { callback: back, cookie } = await authorizeInBrowser(api, guildId);
    const state = back.searchParams.get('state')!;
    const garbage = await openCallback(api, new URL(`/auth/twitch/callback?code=garbage&state=${state}`, api.url), { cookie });
    expect(garbage.status).toBe(400);
    expect(garbage.html).toContain('data-reason="EXCHANGE_FAILED"');

    fake.twitch.failNext('/oauth2/token', 1, 503);
    const unavailable = await complete(back.searchParams.get('code')!, state, undefined, cookie);
    expect(unavailable).toMatchObject({ reason: 'EXCHANGE_FAILED' });
    expect(unavailable.message).toMatch(/503/);
    expect(await credentialCount(guildId)).toBe(0);

    expect(await complete(back.searchParams.get('code')!, state, undefined, cookie)).toMatchObject({ __typename: 'Streamer', linked: true });
  });

  it('scopes the streamer did not grant: nothing stored, the unused token revoked', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id, scopes: ['user:write:chat'] });
    const guildId = newGuildId();
    const revokesBefore = fake.twitch.requestCount('/oauth2/revoke', { status: 200 });
    const { callback: back, cookie } = await authorizeInBrowser(api, guildId);
    const page = await openCallback(api, back, { 'accept-language': 'en', cookie });
    expect(page.status).toBe(400);
    expect(page.html).toContain('data-reason="MISSING_SCOPES"');
    expect(page.html).toContain('moderator:read:chatters');
    expect(await api.services.db.streamer.count({ where: { guildId } })).toBe(0);
    expect(fake.twitch.requestCount('/oauth2/revoke', { status: 200 })).toBe(revokesBefore + 1);
  });
});

describe('tokens at rest', () => {
  useApp();

  it('are AES-GCM sealed: the raw row holds no token text, and they decrypt to tokens Twitch accepts', async () => {
    const streamer = await linkedStreamer(api, fake.twitch, newTwitchUser());
    const [row] = await api.services.db.$queryRaw<{ access_token_enc: string; refresh_token_enc: string }[]>`
      SELECT access_token_enc, refresh_token_enc FROM twitch_credentials WHERE streamer_id = ${streamer.id}`;
    expect(row!.access_token_enc).toMatch(/^v2\.[0-9a-f]{8}\./);
    expect(row!.refresh_token_enc).toMatch(/^v2\.[0-9a-f]{8}\./);
    const cipher = createTokenCipher([Buffer.from(TEST_ENCRYPTION_KEY, 'base64')]);
    const accessToken = cipher.decrypt(row!.access_token_enc, twitchTokenBinding(streamer.id, 'access_token_enc'));
    const refreshToken = cipher.decrypt(row!.refresh_token_enc, twitchTokenBinding(streamer.id, 'refresh_token_enc'));
    expect(row!.access_token_enc).not.toContain(accessToken);
    expect(row!.refresh_token_enc).not.toContain(refreshToken);
    const validate = await fetch(`${fake.twitch.authUrl}/validate`, { headers: { Authorization: `OAuth ${accessToken}` } });
    expect(await validate.json()).toMatchObject({ user_id: streamer.twitchUserId });

    // Nowhere else: not in GraphQL, not in the logs.
    const everything = await execute(api.url, contractOperation('StreamerByGuild'), { guildId: streamer.guildId });
    expect(JSON.stringify(everything)).not.toContain(accessToken);
    for (const secret of [accessToken, refreshToken, fake.twitch.clientSecret]) expect(logs.text()).not.toContain(secret);
  });
});

describe('without Twitch client credentials', () => {
  it('the server runs the demo chat, and linking says what to set', async () => {
    const demo = await startTestApp();
    try {
      const { startTwitchLink } = await execute(demo.url, contractOperation('StartTwitchLink'), { guildId: newGuildId() });
      expect(startTwitchLink.__typename).toBe('TwitchNotConfiguredError');
      expect(startTwitchLink.message).toMatch(/TWITCH_CLIENT_ID/);
      const completed = await request(demo.url, contractOperation('CompleteTwitchLink'), { code: 'x', state: 'y' }, { token: null });
      expect(completed.data.completeTwitchLink.__typename).toBe('TwitchNotConfiguredError');
      const page = await fetch(`${demo.url}/auth/twitch/callback?code=x&state=y`);
      expect(page.status).toBe(400);
      expect(await page.text()).toContain('data-reason="NOT_CONFIGURED"');
      expect(demo.services.twitch.configured).toBe(false);
    } finally {
      await demo.stop();
    }
  });
});


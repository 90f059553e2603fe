/** Linking a guild to Twitch through the real endpoints: startTwitchLink, the stand-in's consent page, our callback. */
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenCipher } from '../../src/crypto/token-cipher';
import { twitchTokenBinding } from '../../src/twitch/credentials/credential-store';
import { newGuildId } from '../support/factories';
import { contractOperation, execute, request } from '../support/graphql';
import { startTestApp, TEST_ENCRYPTION_KEY, type TestApp } from '../support/test-app';
import {
  followAuthorize,
  LogCapture,
  linkedStreamer,
  openCallback,
  RAFFLE_SCOPES,
  startLink,
  startTwitchApp,
  streamerStatus,
  useFakeTwitch,
} from './support';

const fake = useFakeTwitch({ per: 'file' });
let api: TestApp;
const logs = new LogCapture();

beforeAll(async () => {
  api = await fake.app({ logger: logs.logger });
});

const COMPLETE_WITH_GUILD = /* GraphQL */ `
  mutation($code: String!, $state: String!, $guildId: String) {
    completeTwitchLink(code: $code, state: $state, guildId: $guildId) {
      __typename
      ... on Streamer { id guildId linked }
      ... on TwitchLinkError { reason message }
      ... on Error { message }
    }
  }
`;

async function complete(code: string, state: string, guildId?: string) {
  const response = await request(api.url, COMPLETE_WITH_GUILD, { code, state, guildId }, { token: null });
  expect(response.errors).toBeUndefined();
  return response.data.completeTwitchLink;
}

async function credentialCount(streamerGuildId: string): Promise<number> {
  return api.services.db.twitchCredential.count({ where: { streamer: { guildId: streamerGuildId } } });
}

let userCounter = 0;
function newTwitchUser() {
  userCounter += 1;
  const user = { id: String(7_000 + userCounter), login: `streamer_${userCounter}`, displayName: `Streamer_${userCounter}` };
  fake.twitch.addUser(user);
  return user;
}

describe('the authorize URL', () => {
  it('asks for code with our client id, the exact redirect URI, the raffle scopes and a fresh 32-byte state', async () => {
    const guildId = newGuildId();
    const first = new URL(await startLink(api, guildId));
    const second = new URL(await startLink(api, guildId));
    expect(`${first.origin}${first.pathname}`).toBe(`${fake.twitch.authUrl}/authorize`);
    expect(first.searchParams.get('response_type')).toBe('code');
    expect(first.searchParams.get('client_id')).toBe(fake.twitch.clientId);
    expect(first.searchParams.get('redirect_uri')).toBe(`http://localhost:${api.port}/auth/twitch/callback`);
    expect(first.searchParams.get('scope')).toBe('moderator:read:chatters user:write:chat');
    const state = first.searchParams.get('state')!;
    expect(Buffer.from(state, 'base64url')).toHaveLength(32);
    expect(second.searchParams.get('state')).not.toBe(state);

    // Only the SHA-256 of the state is stored, bound to the guild, valid 10 minutes.
    const rows = await api.services.db.$queryRaw<{ state_hash: string; guild_id: string; expires_at: Date }[]>`
      SELECT state_hash, guild_id, expires_at FROM twitch_link_states WHERE guild_id = ${guildId}`;
    expect(rows).toHaveLength(2);
    expect(rows.map((row) => row.state_hash)).toContain(createHash('sha256').update(state).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(state);
    const ttl = rows[0]!.expires_at.getTime() - Date.now();
    expect(ttl).toBeGreaterThan(9 * 60_000);
    expect(ttl).toBeLessThanOrEqual(10 * 60_000);
  });

  it('uses PUBLIC_URL for the redirect URI when it is set', async () => {
    const other = await startTwitchApp(fake.twitch, { env: { PUBLIC_URL: 'https://raffles.kinoyu.example/' } });
    try {
      const url = new URL(await startLink(other, newGuildId()));
      expect(url.searchParams.get('redirect_uri')).toBe('https://raffles.kinoyu.example/auth/twitch/callback');
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

describe('linking in the browser', () => {
  it('follows Twitch back to our callback, shows success and links the guild', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const authorizeUrl = await startLink(api, guildId);
    const back = await followAuthorize(authorizeUrl);
    expect(back.pathname).toBe('/auth/twitch/callback');
    const page = await openCallback(api, back, { 'accept-language': 'en-US,en;q=0.8' });
    expect(page.status).toBe(200);
    expect(page.contentType).toMatch(/text\/html/);
    expect(page.html).toContain('data-outcome="linked"');
    expect(page.html).toContain(user.displayName);
    expect(page.html).not.toContain(back.searchParams.get('code')!);
    expect(page.html).not.toContain(back.searchParams.get('state')!);

    const { streamerByGuild } = await execute(api.url, contractOperation('StreamerByGuild'), { guildId });
    expect(streamerByGuild).toMatchObject({ guildId, linked: true, twitchUserId: user.id, login: user.login, displayName: user.displayName });
    const status = await streamerStatus(api, streamerByGuild.id);
    expect(status.twitchStatus).toMatchObject({ linked: true, unlinkedReason: null });
    expect(status.twitchStatus.scopes.sort()).toEqual([...RAFFLE_SCOPES].sort());
    expect(status.twitchStatus.lastValidatedAt).toBeTruthy();

    // The same link again: the state was used.
    const again = await openCallback(api, back);
    expect(again.status).toBe(400);
    expect(again.html).toContain('data-reason="USED_STATE"');
  });

  it('completes through the contract mutation too, without a token (the state is the capability)', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const back = await followAuthorize(await startLink(api, guildId));
    const variables = { code: back.searchParams.get('code'), state: back.searchParams.get('state') };
    const response = await request(api.url, contractOperation('CompleteTwitchLink'), variables, { token: null });
    expect(response.errors).toBeUndefined();
    expect(response.data.completeTwitchLink).toMatchObject({ __typename: 'Streamer', guildId, twitchUserId: user.id, login: user.login, linked: true });

    const reused = await request(api.url, contractOperation('CompleteTwitchLink'), variables, { token: null });
    expect(reused.data.completeTwitchLink).toMatchObject({ __typename: 'TwitchLinkError' });
    expect(reused.data.completeTwitchLink.message).toMatch(/already used/);
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
    const back = await followAuthorize(await startLink(api, otherGuild));
    const refused = await complete(back.searchParams.get('code')!, back.searchParams.get('state')!);
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

describe('bad input leaves nothing half-written', () => {
  it('an unknown, missing or expired state', async () => {
    expect(await complete('somecode', 'not-a-state-we-issued')).toMatchObject({ reason: 'INVALID_STATE' });
    const missing = await fetch(`${api.url}/auth/twitch/callback?code=abc`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('data-reason="INVALID_STATE"');

    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const back = await followAuthorize(await startLink(api, guildId));
    const state = back.searchParams.get('state')!;
    await api.services.db.twitchLinkState.update({
      where: { stateHash: createHash('sha256').update(state).digest('hex') },
      data: { expiresAt: new Date(Date.now() - 1_000) },
    });
    const page = await openCallback(api, back);
    expect(page.status).toBe(400);
    expect(page.html).toContain('data-reason="EXPIRED_STATE"');
    expect(page.html).toContain('expirou'); // pt-BR unless the browser prefers English
    expect(await complete(back.searchParams.get('code')!, state)).toMatchObject({ reason: 'EXPIRED_STATE' });
    expect(await credentialCount(guildId)).toBe(0);
  });

  it('a state started for another guild (the state stays usable for its own guild)', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id });
    const guildId = newGuildId();
    const back = await followAuthorize(await startLink(api, guildId));
    const code = back.searchParams.get('code')!;
    const state = back.searchParams.get('state')!;
    expect(await complete(code, state, newGuildId())).toMatchObject({ reason: 'GUILD_MISMATCH' });
    expect(await credentialCount(guildId)).toBe(0);
    expect(await complete(code, state, guildId)).toMatchObject({ __typename: 'Streamer', guildId, linked: true });
  });

  it("Twitch's error redirect (the streamer clicked Cancel)", async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id, deny: true });
    const guildId = newGuildId();
    const back = await followAuthorize(await startLink(api, guildId));
    expect(back.searchParams.get('error')).toBe('access_denied');
    const page = await openCallback(api, back, { 'accept-language': 'en' });
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
    const back = await followAuthorize(await startLink(api, guildId));
    const state = back.searchParams.get('state')!;
    const garbage = await openCallback(api, new URL(`/auth/twitch/callback?code=garbage&state=${state}`, api.url));
    expect(garbage.status).toBe(400);
    expect(garbage.html).toContain('data-reason="EXCHANGE_FAILED"');

    fake.twitch.failNext('/oauth2/token', 1, 503);
    const unavailable = await complete(back.searchParams.get('code')!, state);
    expect(unavailable).toMatchObject({ reason: 'EXCHANGE_FAILED' });
    expect(unavailable.message).toMatch(/503/);
    expect(await credentialCount(guildId)).toBe(0);

    expect(await complete(back.searchParams.get('code')!, state)).toMatchObject({ __typename: 'Streamer', linked: true });
  });

  it('scopes the streamer did not grant: nothing stored, the unused token revoked', async () => {
    const user = newTwitchUser();
    fake.twitch.setConsent({ userId: user.id, scopes: ['user:write:chat'] });
    const guildId = newGuildId();
    const revokesBefore = fake.twitch.requestCount('/oauth2/revoke', { status: 200 });
    const page = await openCallback(api, await followAuthorize(await startLink(api, guildId)), { 'accept-language': 'en' });
    expect(page.status).toBe(400);
    expect(page.html).toContain('data-reason="MISSING_SCOPES"');
    expect(page.html).toContain('moderator:read:chatters');
    expect(await api.services.db.streamer.count({ where: { guildId } })).toBe(0);
    expect(fake.twitch.requestCount('/oauth2/revoke', { status: 200 })).toBe(revokesBefore + 1);
  });
});

describe('tokens at rest', () => {
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


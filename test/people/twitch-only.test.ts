/**
 * Twitch-only streamers (issue 11): "connect my channel" on the dashboard through the Twitch
 * stand-in, the wrong-account case, one streamer per channel when Discord and the dashboard meet
 * (either way round), and sessions that end when the validator finds the token revoked.
 */
import { TWITCH_SCOPES } from '../../src/twitch/link/link.service';
import { describe, expect, it } from 'vitest';
import type { FakeTwitch } from '../stand-ins/twitch/fake-twitch.js';
import { newGuildId } from '../support/factories.js';
import { contractOperation, execute } from '../support/graphql.js';
import type { TestApp } from '../support/test-app.js';
import { browserLink, followAuthorize, onApp, useFakeTwitch, linkedStreamer } from '../twitch/support.js';
import { asBrowser, cookieNamed, logIn, VIEWER, type TwitchPerson } from './support.js';

const STREAMER: TwitchPerson = { id: '7001', login: 'solo_streamer', displayName: 'SoloStreamer' };
const OTHER: TwitchPerson = { id: '7002', login: 'someone_else', displayName: 'SomeoneElse' };
const EDITOR: TwitchPerson = { id: '7003', login: 'mod_bia', displayName: 'ModBia' };

const UPDATE_SETTINGS = /* GraphQL */ `
  mutation($id: ID!) { updateOverlaySettings(streamerId: $id, settings: { scale: 2 }) { __typename ... on Streamer { overlaySettings { scale } } } }
`;
const TEST_WIN = /* GraphQL */ `mutation($id: ID!) { sendOverlayTestWin(streamerId: $id) { __typename } }`;
const ADD_EDITOR = /* GraphQL */ `mutation($id: ID!, $login: String!) { addEditor(streamerId: $id, login: $login) { __typename ... on Error { message } } }`;

const VIEWER_DETAIL = /* GraphQL */ `
  query { viewer { twitchUserId streamers { role streamer { id guildId twitchUserId login linked items { name } } } } }
`;

/**
 * Plays the dashboard's browser on "connect my channel": GET /auth/twitch/connect with the session
 * cookie (302 to Twitch, binding cookie set), Twitch's consent as `authorizeAs`, back to the callback.
 */
async function connect(api: TestApp, twitch: FakeTwitch, sessionCookie: string, authorizeAs: TwitchPerson) {
  twitch.addUser({ ...authorizeAs });
  twitch.setConsent({ userId: authorizeAs.id });
  const start = await fetch(new URL('/auth/twitch/connect', api.url), { headers: { cookie: sessionCookie }, redirect: 'manual' });
  expect(start.status, await start.clone().text()).toBe(302);
  const authorize = new URL(start.headers.get('location') ?? '');
  expect(`${authorize.origin}${authorize.pathname}`).toBe(`${twitch.authUrl}/authorize`);
  expect(authorize.searchParams.get('scope')?.split(' ').sort()).toEqual([...TWITCH_SCOPES].sort());
  expect(authorize.searchParams.get('force_verify')).toBe('true');
  const binding = cookieNamed(start.headers.getSetCookie(), 'kinoyu_twitch_link');
  const callback = await followAuthorize(authorize.toString());
  const back = await fetch(onApp(api, callback), { headers: { cookie: binding }, redirect: 'manual' });
  return { status: back.status, location: back.headers.get('location'), html: await back.text(), callback };
}

describe('Twitch-only streamers: connect my channel on the dashboard', () => {
  const fixture = useFakeTwitch();

  it('without a session: redirected to /auth/login, nothing started', async () => {
    const api = await fixture.app();
    const response = await fetch(new URL('/auth/twitch/connect', api.url), { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/auth/login');
    const forged = await fetch(new URL('/auth/twitch/connect', api.url), { headers: { cookie: 'kinoyu_session=forged.value' }, redirect: 'manual' });
    expect(forged.headers.get('location')).toBe('/auth/login');
    expect(await api.services.db.twitchLinkState.count()).toBe(0);
  });

  it('refuses a navigation from another site', async () => {
    const api = await fixture.app();
    const { cookie } = await logIn(api, fixture.twitch, STREAMER);
    const response = await fetch(new URL('/auth/twitch/connect', api.url), { headers: { cookie, 'sec-fetch-site': 'cross-site' }, redirect: 'manual' });
    expect(response.status).toBe(403);
    expect(await api.services.db.twitchLinkState.count()).toBe(0);
  });

  it('creates the Twitch-only streamer (no Discord server), OWNER in viewer, back on /dashboard; again: the same streamer', async () => {
    const api = await fixture.app();
    const { cookie } = await logIn(api, fixture.twitch, STREAMER);
    expect((await asBrowser(api, cookie, VIEWER)).data.viewer.streamers).toEqual([]);

    const done = await connect(api, fixture.twitch, cookie, STREAMER);
    expect(done.status, done.html).toBe(303);
    expect(done.location).toBe('/dashboard');
    const { data, errors } = await asBrowser(api, cookie, VIEWER_DETAIL);
    expect(errors).toBeUndefined();
    expect(data.viewer.streamers).toEqual([
      { role: 'OWNER', streamer: { id: expect.any(String), guildId: null, twitchUserId: STREAMER.id, login: STREAMER.login, linked: true, items: [] } },
    ]);
    const streamerId = data.viewer.streamers[0].streamer.id as string;
    expect(await api.services.db.twitchCredential.count({ where: { streamerId } })).toBe(1);

    // Everything the bot does works from the dashboard: items, a raffle, a round.
    const added = await asBrowser(api, cookie, contractOperation('AddItems'), { streamerId, items: [{ name: 'solo prize', weight: 1 }] }, { operationName: 'AddItems' });
    expect(added.data.addItems.__typename).toBe('AddItemsPayload');
    const started = await asBrowser(api, cookie, contractOperation('StartRaffle'), { input: { streamerId, intervalSeconds: 3600 } }, { operationName: 'StartRaffle' });
    expect(started.data.startRaffle.__typename).toBe('Raffle');

    // Connecting again refreshes the tokens of the same streamer.
    const again = await connect(api, fixture.twitch, cookie, STREAMER);
    expect(again.status).toBe(303);
    expect(await api.services.db.streamer.count({ where: { twitchUserId: STREAMER.id } })).toBe(1);
    expect(await api.services.db.streamer.count()).toBe(1);
    expect((await asBrowser(api, cookie, VIEWER_DETAIL)).data.viewer.streamers[0].streamer.id).toBe(streamerId);
  });

  it('another Twitch account than the logged-in one: a clear error page (WRONG_ACCOUNT), nothing linked, its token revoked', async () => {
    const api = await fixture.app();
    const { cookie } = await logIn(api, fixture.twitch, STREAMER);
    const revokesBefore = fixture.twitch.requestCount('/oauth2/revoke');
    const done = await connect(api, fixture.twitch, cookie, OTHER);
    expect(done.status).toBe(400);
    expect(fixture.twitch.requestCount('/oauth2/revoke')).toBe(revokesBefore + 1);
    expect(done.html).toContain('data-reason="WRONG_ACCOUNT"');
    expect(done.html).toMatch(/outra conta da Twitch/);
    expect(await api.services.db.streamer.count()).toBe(0);
    expect(await api.services.db.twitchCredential.count()).toBe(0);
    // The link is over: its state is spent.
    expect(await api.services.db.twitchLinkState.count({ where: { usedAt: null } })).toBe(0);
    const replay = await fetch(onApp(api, done.callback), { redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect((await asBrowser(api, cookie, VIEWER)).data.viewer.streamers).toEqual([]);
  });

  it('a Discord /link with that Twitch account joins the server to the Twitch-only streamer (no second streamer)', async () => {
    const api = await fixture.app();
    const { cookie } = await logIn(api, fixture.twitch, STREAMER);
    expect((await connect(api, fixture.twitch, cookie, STREAMER)).status).toBe(303);
    const soloId = (await asBrowser(api, cookie, VIEWER_DETAIL)).data.viewer.streamers[0].streamer.id as string;
    await api.services.items.addItems(soloId, [{ name: 'from the dashboard', weight: 1 }]);

    // The bot registers the guild first (its own streamer, with a prize added from Discord).
    const guildId = newGuildId();
    const { registerGuild } = await execute(api.url, `mutation($g: String!) { registerGuild(guildId: $g) { ... on Streamer { id } } }`, { g: guildId });
    await api.services.items.addItems(registerGuild.id, [{ name: 'from discord', weight: 1 }]);
    await api.services.streamers.setAnnounceChannel(registerGuild.id, '123456789012');

    fixture.twitch.setConsent({ userId: STREAMER.id });
    const page = await browserLink(api, guildId);
    expect(page.status, page.html).toBe(200);

    const { streamerByGuild } = await execute(api.url, contractOperation('StreamerByGuild'), { guildId });
    expect(streamerByGuild).toMatchObject({ id: soloId, guildId, twitchUserId: STREAMER.id, linked: true, announceChannelId: '123456789012' });
    expect(streamerByGuild.items.map((item: { name: string }) => item.name).sort()).toEqual(['from discord', 'from the dashboard']);
    expect(await api.services.db.streamer.count()).toBe(1);
    const viewer = await asBrowser(api, cookie, VIEWER_DETAIL);
    expect(viewer.data.viewer.streamers).toEqual([{ role: 'OWNER', streamer: expect.objectContaining({ id: soloId, guildId }) }]);
  });

  it("the reverse: a guild's streamer linked to a Twitch account; its person logs in → OWNER; connecting keeps that one streamer", async () => {
    const api = await fixture.app();
    const guildStreamer = await linkedStreamer(api, fixture.twitch, STREAMER);
    const { cookie } = await logIn(api, fixture.twitch, STREAMER);
    const viewer = await asBrowser(api, cookie, VIEWER_DETAIL);
    expect(viewer.data.viewer.streamers).toEqual([{ role: 'OWNER', streamer: expect.objectContaining({ id: guildStreamer.id, guildId: guildStreamer.guildId }) }]);
    expect((await connect(api, fixture.twitch, cookie, STREAMER)).status).toBe(303);
    expect(await api.services.db.streamer.count()).toBe(1);
    expect((await asBrowser(api, cookie, VIEWER_DETAIL)).data.viewer.streamers[0].streamer).toMatchObject({ id: guildStreamer.id, guildId: guildStreamer.guildId, linked: true });
  });

  it('the validator finds the token revoked at Twitch: every dashboard session of that account ends; the Twitch-only streamer stays theirs', async () => {
    const api = await fixture.app();
    const first = await logIn(api, fixture.twitch, STREAMER);
    expect((await connect(api, fixture.twitch, first.cookie, STREAMER)).status).toBe(303);
    const second = await logIn(api, fixture.twitch, STREAMER);
    const other = await logIn(api, fixture.twitch, OTHER);
    const streamerId = (await asBrowser(api, first.cookie, VIEWER_DETAIL)).data.viewer.streamers[0].streamer.id as string;

    fixture.twitch.revokeUser(STREAMER.id);
    expect(await api.services.twitch.runtime!.validator.validate(streamerId)).toBe('unlinked');

    for (const session of [first, second]) {
      expect((await asBrowser(api, session.cookie, VIEWER)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect((await asBrowser(api, other.cookie, VIEWER)).errors).toBeUndefined();
    const row = await api.services.db.streamer.findUniqueOrThrow({ where: { id: streamerId }, include: { credential: true } });
    expect(row).toMatchObject({ twitchUserId: STREAMER.id, guildId: null, credential: null, twitchUnlinkedReason: 'TOKEN_REVOKED' });

    // Logging in again: still the owner (not linked), and connecting again links the same streamer.
    const again = await logIn(api, fixture.twitch, STREAMER);
    expect((await asBrowser(api, again.cookie, VIEWER_DETAIL)).data.viewer.streamers).toEqual([
      { role: 'OWNER', streamer: expect.objectContaining({ id: streamerId, linked: false }) },
    ]);
    expect((await connect(api, fixture.twitch, again.cookie, STREAMER)).status).toBe(303);
    expect((await asBrowser(api, again.cookie, VIEWER_DETAIL)).data.viewer.streamers[0].streamer).toMatchObject({ id: streamerId, linked: true });
    expect(await api.services.db.streamer.count()).toBe(1);
  });

  it("a guild's streamer revoked at Twitch: its owner's sessions end too (the account is freed as before)", async () => {
    const api = await fixture.app();
    const guildStreamer = await linkedStreamer(api, fixture.twitch, STREAMER);
    const session = await logIn(api, fixture.twitch, STREAMER);
    fixture.twitch.revokeUser(STREAMER.id);
    expect(await api.services.twitch.runtime!.validator.validate(guildStreamer.id)).toBe('unlinked');
    expect((await asBrowser(api, session.cookie, VIEWER)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const row = await api.services.db.streamer.findUniqueOrThrow({ where: { id: guildStreamer.id } });
    expect(row.twitchUserId).toBeNull();
  });

  it('with session cookies: the editor steers the overlay and downloads the CSV but cannot manage; a stranger is FORBIDDEN / 403', async () => {
    const api = await fixture.app();
    const owner = await logIn(api, fixture.twitch, STREAMER);
    expect((await connect(api, fixture.twitch, owner.cookie, STREAMER)).status).toBe(303);
    const streamerId = (await asBrowser(api, owner.cookie, VIEWER_DETAIL)).data.viewer.streamers[0].streamer.id as string;
    fixture.twitch.addUser({ ...EDITOR });
    expect((await asBrowser(api, owner.cookie, ADD_EDITOR, { id: streamerId, login: EDITOR.login })).data.addEditor.__typename).toBe('Streamer');
    const editor = await logIn(api, fixture.twitch, EDITOR);
    const stranger = await logIn(api, fixture.twitch, OTHER);
    const raffle = await api.services.db.raffle.create({
      data: { streamerId, intervalSeconds: 60, drawChance: 1, status: 'STOPPED', endedAt: new Date(), endReason: 'STOPPED', nextRoundAt: new Date() },
    });
    const csv = (cookie: string) => fetch(`${api.url}/raffles/${raffle.id}/rounds.csv`, { headers: { cookie } });

    expect((await asBrowser(api, editor.cookie, VIEWER_DETAIL)).data.viewer.streamers).toEqual([{ role: 'EDITOR', streamer: expect.objectContaining({ id: streamerId }) }]);
    expect((await asBrowser(api, editor.cookie, UPDATE_SETTINGS, { id: streamerId })).data.updateOverlaySettings.overlaySettings.scale).toBe(2);
    expect((await asBrowser(api, editor.cookie, TEST_WIN, { id: streamerId })).data.sendOverlayTestWin.__typename).toBe('OverlayTestWinSent');
    expect((await csv(editor.cookie)).status).toBe(200);
    expect((await asBrowser(api, editor.cookie, ADD_EDITOR, { id: streamerId, login: OTHER.login })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await asBrowser(api, editor.cookie, contractOperation('UnlinkTwitch'), { streamerId }, { operationName: 'UnlinkTwitch' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    expect((await asBrowser(api, stranger.cookie, VIEWER)).data.viewer.streamers).toEqual([]);
    for (const [query, field] of [[UPDATE_SETTINGS, 'updateOverlaySettings'], [TEST_WIN, 'sendOverlayTestWin']] as const) {
      const refused = await asBrowser(api, stranger.cookie, query, { id: streamerId });
      expect(refused.errors?.[0]?.extensions?.code, field).toBe('FORBIDDEN');
      expect(refused.data?.[field] ?? null).toBeNull();
    }
    const strangerCsv = await csv(stranger.cookie);
    expect(strangerCsv.status).toBe(403);
    expect(await strangerCsv.text()).toMatch(/do not steer/);
    expect((await csv(owner.cookie)).status).toBe(200);
    const settings = await api.services.overlay.settingsOf(streamerId);
    expect(settings.scale).toBe(2);
    expect(await api.services.db.twitchCredential.count({ where: { streamerId } })).toBe(1);
  });
});

/**
 * The documented edges of EventSub over WebSocket (the stand-in and our client against it), the
 * entry options' validation through GraphQL, and one chat consumer per streamer across instances.
 */
import { WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { createHelixClient, HelixError } from '../../src/twitch/api';
import { describeWith } from '../support/describe-with.js';
import { execute } from '../support/graphql.js';
import { BROADCASTER, linkBroadcaster, linkedStreamer, RAFFLE_SCOPES, useFakeTwitch } from './support.js';
import {
  chatOf,
  chatter,
  eventually,
  expectEntries,
  say,
  START_RAFFLE,
  startKeywordRaffle,
  waitForChatSubscriptions,
} from './eventsub-support.js';

const fake = useFakeTwitch({ twitch: { eventsub: { keepaliveTimeoutSeconds: 2 } } });
const CHAT_SCOPES = [...RAFFLE_SCOPES, 'user:read:chat'];

/** A raw EventSub connection: resolves with its welcome's session id. */
function openSession(url: string): Promise<{ ws: WebSocket; sessionId: string; closed: Promise<number>; welcome: any }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const closed = new Promise<number>((done) => ws.once('close', (code) => done(code)));
    ws.once('message', (data) => {
      const welcome = JSON.parse(data.toString());
      resolve({ ws, sessionId: welcome.payload.session.id, closed, welcome });
    });
    ws.once('error', reject);
  });
}

describe('the EventSub stand-in follows the documentation', () => {
  it('welcome carries the session id and keepalive_timeout_seconds; keepalives follow; an unused connection is closed with 4003', async () => {
    const { ws, welcome, closed } = await openSession(fake.twitch.eventsubUrl);
    expect(welcome.metadata).toMatchObject({ message_type: 'session_welcome' });
    expect(welcome.metadata.message_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(welcome.payload.session).toMatchObject({ status: 'connected', keepalive_timeout_seconds: 2, reconnect_url: null });
    const types: string[] = [];
    ws.on('message', (data) => types.push(JSON.parse(data.toString()).metadata.message_type));
    expect(await closed).toBe(4003);
    expect(types).toContain('session_keepalive');
  });

  it('a client that sends anything but pong is closed with 4001', async () => {
    const { ws, closed } = await openSession(fake.twitch.eventsubUrl);
    ws.send('hello');
    expect(await closed).toBe(4001);
  });

  it('Create EventSub Subscription: 202 with cost, 409 duplicate, 403 without the authorization, 400 for an unknown session, 429 past 3 transports', async () => {
    // Unused sessions would be closed (4003) after the 2 s window while this test works on them.
    fake.twitch.eventsub.options.subscribeWindowMs = 60_000;
    const tokens = linkBroadcaster(fake.twitch, CHAT_SCOPES);
    const helix = createHelixClient({ apiUrl: fake.twitch.apiUrl, clientId: fake.twitch.clientId });
    const sessions = await Promise.all([1, 2, 3, 4].map(() => openSession(fake.twitch.eventsubUrl)));
    const chat = { type: 'channel.chat.message', version: '1', condition: { broadcaster_user_id: BROADCASTER.id, user_id: BROADCASTER.id } };
    const created = await helix.createEventSubSubscription({ ...chat, sessionId: sessions[0]!.sessionId, token: tokens.accessToken, userId: BROADCASTER.id });
    expect(created).toMatchObject({ status: 'enabled', type: 'channel.chat.message', cost: 0, total: 1, totalCost: 0, maxTotalCost: 10 });
    const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as HelixError);

    const duplicate = await failure(helix.createEventSubSubscription({ ...chat, sessionId: sessions[1]!.sessionId, token: tokens.accessToken, userId: BROADCASTER.id }));
    expect(duplicate).toMatchObject({ status: 409 });
    const noScope = linkBroadcaster(fake.twitch, RAFFLE_SCOPES);
    expect(await failure(helix.createEventSubSubscription({ ...chat, sessionId: sessions[1]!.sessionId, token: noScope.accessToken, userId: BROADCASTER.id }))).toMatchObject({ status: 403 });
    expect(
      await failure(helix.createEventSubSubscription({ ...chat, condition: { ...chat.condition, user_id: '42' }, sessionId: sessions[1]!.sessionId, token: tokens.accessToken, userId: BROADCASTER.id })),
    ).toMatchObject({ status: 403 });
    expect(await failure(helix.createEventSubSubscription({ ...chat, sessionId: 'no-such-session', token: tokens.accessToken, userId: BROADCASTER.id }))).toMatchObject({
      status: 400,
      twitchMessage: 'websocket transport session does not exist or has already disconnected',
    });

    const shared = (channel: string, session: number) =>
      helix.createEventSubSubscription({
        type: 'channel.shared_chat.begin',
        version: '1',
        condition: { broadcaster_user_id: channel },
        sessionId: sessions[session]!.sessionId,
        token: tokens.accessToken,
        userId: BROADCASTER.id,
      });
    expect(await shared('2001', 1)).toMatchObject({ cost: 1 });
    expect(await shared('2002', 2)).toMatchObject({ cost: 1 });
    const fourth = await failure(shared('2003', 3));
    expect(fourth).toMatchObject({ status: 429, twitchMessage: 'number of websocket transports limit exceeded', attempts: 1 });
    for (const session of sessions) session.ws.close();
  });
});

describe('the chat consumer at Twitch limits', () => {
  it("429 'transport limit': reports the limit on the streamer and subscribes once a transport frees", async () => {
    const api = await fake.app();
    const streamer = await linkedStreamer(api, fake.twitch);
    // Three other sessions of the same Twitch account already hold subscriptions.
    fake.twitch.eventsub.options.subscribeWindowMs = 60_000;
    const tokens = fake.twitch.issueToken({ userId: streamer.twitchUserId, scopes: CHAT_SCOPES });
    const helix = createHelixClient({ apiUrl: fake.twitch.apiUrl, clientId: fake.twitch.clientId });
    const others = await Promise.all([1, 2, 3].map(() => openSession(fake.twitch.eventsubUrl)));
    for (const [index, other] of others.entries()) {
      await helix.createEventSubSubscription({
        type: 'channel.shared_chat.begin',
        version: '1',
        condition: { broadcaster_user_id: `30${index}` },
        sessionId: other.sessionId,
        token: tokens.accessToken,
        userId: streamer.twitchUserId,
      });
    }
    const raffle = await startKeywordRaffle(api, streamer.id);
    const status = async () => (await execute(api.url, `query($id: ID!) { streamer(id: $id) { twitchChat { state message } } }`, { id: streamer.id })).streamer.twitchChat;
    await eventually(async () => expect(await status()).toMatchObject({ state: 'ERROR', message: expect.stringMatching(/number of websocket transports limit exceeded/) }));
    others[0]!.ws.close();
    await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
    await eventually(async () => expect((await status()).state).toBe('CONNECTED'), 15_000);
    const viewer = chatter();
    say(fake.twitch, viewer, 'sorteio');
    await expectEntries(api, raffle.id, [viewer.id]);
    for (const other of others) other.ws.close();
  });
});

describe('entry options through startRaffle', () => {
  it('bad input answers ValidationError per field and starts nothing', async () => {
    const api = await fake.app();
    const streamer = await linkedStreamer(api, fake.twitch);
    await execute(api.url, `mutation($id: ID!) { addItems(streamerId: $id, items: [{ name: "x", weight: 1 }]) { __typename } }`, { id: streamer.id });
    const start = async (extra: Record<string, unknown>) =>
      (await execute(api.url, START_RAFFLE, { input: { streamerId: streamer.id, intervalSeconds: 60, ...extra } })).startRaffle;
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ entry: { mode: 'KEYWORD', keyword: '' } }, ['input.entry.keyword']],
      [{ entry: { mode: 'KEYWORD', keyword: 'k'.repeat(100) } }, ['input.entry.keyword']],
      [{ luck: { subscriber: 0 } }, ['input.luck.subscriber']],
      [{ luck: { vip: 11 } }, ['input.luck.vip']],
      [{ claimSeconds: 601 }, ['input.claimSeconds']],
      [{ entry: { mode: 'KEYWORD', keyword: '' }, luck: { moderator: 11 }, claimSeconds: 9999 }, ['input.entry.keyword', 'input.luck.moderator', 'input.claimSeconds']],
    ];
    for (const [extra, paths] of cases) {
      const result = await start(extra);
      expect(result.__typename, JSON.stringify(extra)).toBe('ValidationError');
      expect(result.problems.map((problem: { path: string[] }) => problem.path.join('.'))).toEqual(paths);
    }
    expect(await api.services.db.raffle.count({ where: { streamerId: streamer.id } })).toBe(0);

    // A link made before user:read:chat was asked for: KEYWORD is refused, asking to reconnect once.
    await api.services.db.twitchCredential.update({ where: { streamerId: streamer.id }, data: { scopes: RAFFLE_SCOPES } });
    const old = await start({ entry: { mode: 'KEYWORD', keyword: 'sorteio' } });
    expect(old.__typename).toBe('ValidationError');
    expect(old.problems).toEqual([{ path: ['input', 'entry', 'mode'], message: expect.stringMatching(/user:read:chat: reconnect Twitch once/) }]);
    const presenceLuck = await start({ luck: { subscriber: 3 } });
    expect(presenceLuck.problems.map((problem: { path: string[] }) => problem.path.join('.'))).toEqual(['input.luck.subscriber']);
    const { streamer: status } = await execute(api.url, `query($id: ID!) { streamer(id: $id) { twitchChat { state message } } }`, { id: streamer.id });
    expect(status.twitchChat).toEqual({ state: 'NEEDS_RECONNECT', message: expect.stringMatching(/Reconnect Twitch once/) });
    expect(await api.services.db.raffle.count({ where: { streamerId: streamer.id } })).toBe(0);

    await api.services.db.twitchCredential.update({ where: { streamerId: streamer.id }, data: { scopes: CHAT_SCOPES } });
    const good = await start({ entry: { mode: 'KEYWORD', keyword: 'Sorteio' }, luck: { subscriber: 3, vip: 2 }, claimSeconds: 60, sharedChat: 'WHOLE_SESSION' });
    expect(good).toMatchObject({
      __typename: 'Raffle',
      entry: { mode: 'KEYWORD', keyword: 'Sorteio' },
      luck: { subscriber: 3, vip: 2, moderator: 1 },
      claimSeconds: 60,
      sharedChat: 'WHOLE_SESSION',
    });
  });
});

describeWith({ postgres: true }, 'two instances, one chat consumer per streamer', () => {
  it('exactly one instance reads the chat; the other takes over when it stops, and when it crashes (after the lease)', async () => {
    const databaseUrl = await fake.sharedDatabase();
    const env = { TWITCH_CHAT_LEASE_SECONDS: '2', TWITCH_CHAT_POLL_MS: '100' };
    const a = await fake.app({ databaseUrl, instanceId: 'api-a', env });
    const b = await fake.app({ databaseUrl, instanceId: 'api-b', env });
    const streamer = await linkedStreamer(a, fake.twitch);
    const raffle = await startKeywordRaffle(a, streamer.id);
    await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const consumers = () => [a, b].filter((api) => chatOf(api).consuming.includes(streamer.id));
    expect(consumers()).toHaveLength(1);
    expect(fake.twitch.eventsub.sessionIds(streamer.twitchUserId)).toHaveLength(1);
    const first = consumers()[0]!;
    const second = first === a ? b : a;
    const viewer = chatter();
    say(fake.twitch, viewer, 'sorteio');
    // Entries are in PostgreSQL: the other instance (which may draw) sees them.
    await expectEntries(second, raffle.id, [viewer.id]);

    // A clean stop releases the lease: the other instance takes the chat at its next poll.
    await first.stop();
    await eventually(() => expect(chatOf(second).consuming).toEqual([streamer.id]));
    await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
    const after = chatter();
    say(fake.twitch, after, 'sorteio');
    await expectEntries(second, raffle.id, [viewer.id, after.id]);

    // A third instance; then the reader crashes: its lease expires (2 s) and the survivor reads.
    const c = await fake.app({ databaseUrl, instanceId: 'api-c', env });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(chatOf(c).consuming).toEqual([]);
    const crashedAt = Date.now();
    await second.app.kill();
    await eventually(() => expect(chatOf(c).consuming).toEqual([streamer.id]), 10_000);
    expect(Date.now() - crashedAt).toBeGreaterThan(1_000);
    await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
    const last = chatter();
    say(fake.twitch, last, 'sorteio');
    await expectEntries(c, raffle.id, [viewer.id, after.id, last.id]);
  });
});

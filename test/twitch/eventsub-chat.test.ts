/**
 * Twitch chat over EventSub WebSocket, end to end through the stand-in: a keyword raffle's
 * entries land in PostgreSQL; duplicates, reconnects (session_reconnect, a dropped socket, a
 * silent one), revocation, the transport limit and Shared Chat behave as Twitch documents.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describeWith } from '../support/describe-with.js';
import { execute } from '../support/graphql.js';
import { linkedStreamer, useFakeTwitch } from './support.js';
import {
  badge,
  BROADCASTER_REF,
  chatOf,
  chatter,
  entries,
  eventually,
  expectEntries,
  say,
  startKeywordRaffle,
  waitForChatSubscriptions,
} from './eventsub-support.js';

const fake = useFakeTwitch({ twitch: { eventsub: { keepaliveTimeoutSeconds: 2 } } });

async function keywordSetup(input: Record<string, unknown> = {}) {
  const api = await fake.app();
  const streamer = await linkedStreamer(api, fake.twitch);
  const raffle = await startKeywordRaffle(api, streamer.id, input);
  const subscription = await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
  return { api, streamer, raffle, subscription };
}

const TWITCH_CHAT = /* GraphQL */ `query($id: ID!) { streamer(id: $id) { twitchChat { state message } } }`;

describe('keyword entry over EventSub', () => {
  it('subscribes channel.chat.message and the shared chat events with the streamer token, within the welcome window', async () => {
    const { streamer } = await keywordSetup();
    const eventsub = fake.twitch.eventsub;
    await eventually(() => expect(eventsub.subscriptions.size).toBe(4));
    const types = [...eventsub.subscriptions.values()].map((s) => `${s.type}:${JSON.stringify(s.condition)}:${s.cost}`).sort();
    expect(types).toEqual([
      `channel.chat.message:${JSON.stringify({ broadcaster_user_id: streamer.twitchUserId, user_id: streamer.twitchUserId })}:0`,
      `channel.shared_chat.begin:${JSON.stringify({ broadcaster_user_id: streamer.twitchUserId })}:1`,
      `channel.shared_chat.end:${JSON.stringify({ broadcaster_user_id: streamer.twitchUserId })}:1`,
      `channel.shared_chat.update:${JSON.stringify({ broadcaster_user_id: streamer.twitchUserId })}:1`,
    ]);
    expect(new Set([...eventsub.subscriptions.values()].map((s) => s.transport.session_id)).size).toBe(1);
  });

  it('enters the people who typed the keyword (whole word, any case), once each, with roles from badges', async () => {
    const { api, raffle, streamer } = await keywordSetup();
    const [sub, vip, mod, other, late] = [chatter('sub'), chatter('vip'), chatter('mod'), chatter('other'), chatter('late')];
    say(fake.twitch, sub, 'quero o SORTEIO!', { badges: [badge('subscriber')] });
    say(fake.twitch, vip, '!sorteio', { badges: [badge('vip')] });
    say(fake.twitch, mod, 'Sorteio', { badges: [badge('moderator'), badge('founder')] });
    say(fake.twitch, other, 'sorteios são legais');
    say(fake.twitch, other, 'presorteio');
    say(fake.twitch, sub, 'sorteio de novo');
    const rows = await expectEntries(api, raffle.id, [sub.id, vip.id, mod.id]);
    expect(rows.find((row) => row.user_id === sub.id)).toMatchObject({ login: sub.login, subscriber: true, vip: false, moderator: false });
    expect(rows.find((row) => row.user_id === vip.id)).toMatchObject({ vip: true, subscriber: false });
    expect(rows.find((row) => row.user_id === mod.id)).toMatchObject({ moderator: true, subscriber: true });
    say(fake.twitch, late, 'SORTEIO');
    await expectEntries(api, raffle.id, [sub.id, vip.id, mod.id, late.id]);
    const { streamer: status } = await execute(api.url, TWITCH_CHAT, { id: streamer.id });
    expect(status.twitchChat).toEqual({ state: 'CONNECTED', message: null });
  });

  it('counts a notification delivered twice (same message_id) once', async () => {
    const { api, raffle } = await keywordSetup();
    const chat = chatOf(api);
    const seen: string[] = [];
    chat.onChatLine((line) => seen.push(line.event.chatter_user_id));
    const viewer = chatter();
    say(fake.twitch, viewer, 'sorteio', { duplicate: true });
    const tail = chatter();
    say(fake.twitch, tail, 'sorteio');
    await expectEntries(api, raffle.id, [viewer.id, tail.id]);
    expect(seen).toEqual([viewer.id, tail.id]);
    expect(chat.sessionOf(chat.consuming[0]!)!.stats.duplicates).toBe(1);
  });

  it('session_reconnect: moves to the reconnect_url without resubscribing, and loses no message', async () => {
    const { api, raffle, subscription } = await keywordSetup();
    const chat = chatOf(api);
    const session = chat.sessionOf(chat.consuming[0]!)!;
    const people = Array.from({ length: 120 }, () => chatter());
    const creates = () => fake.twitch.requestCount('/helix/eventsub/subscriptions', { method: 'POST' });
    const createsBefore = creates();
    for (const [index, person] of people.entries()) {
      if (index === 40) fake.twitch.eventsub.requestReconnect(subscription.transport.session_id);
      say(fake.twitch, person, 'sorteio');
      if (index % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await expectEntries(api, raffle.id, people.map((p) => p.id));
    await eventually(() => expect(session.stats.migrations).toBe(1));
    expect(creates()).toBe(createsBefore);
    // The old connection was closed by the client (1000), not by Twitch's 4004 grace timeout.
    await eventually(() => expect(fake.twitch.eventsub.closeCodes).toContain(1000));
    expect(fake.twitch.eventsub.closeCodes).not.toContain(4004);
    expect(fake.twitch.eventsub.sessionIds()).toHaveLength(1);
  });

  it('a reconnect_url that fails (4007): the old connection keeps delivering; when Twitch closes it (4004) a fresh one subscribes', async () => {
    const { api, raffle, subscription } = await keywordSetup();
    fake.twitch.eventsub.requestReconnect(subscription.transport.session_id, { invalidUrl: true });
    await eventually(() => expect(fake.twitch.eventsub.closeCodes).toContain(4007));
    const during = chatter();
    expect(say(fake.twitch, during, 'sorteio').delivered).toBe(1);
    await expectEntries(api, raffle.id, [during.id]);
    fake.twitch.eventsub.close(4004, subscription.transport.session_id, 'reconnect grace time expired');
    await waitForChatSubscriptions(fake.twitch, BROADCASTER_REF.id, subscription.transport.session_id);
    const after = chatter();
    say(fake.twitch, after, 'sorteio');
    await expectEntries(api, raffle.id, [during.id, after.id]);
  });

  it('a dropped socket: reconnects, subscribes again on the new session, and the entries already in stay', async () => {
    const { api, raffle, subscription } = await keywordSetup();
    const before = [chatter(), chatter()];
    for (const person of before) say(fake.twitch, person, 'sorteio');
    await expectEntries(api, raffle.id, before.map((p) => p.id));
    fake.twitch.eventsub.drop(subscription.transport.session_id);
    await waitForChatSubscriptions(fake.twitch, BROADCASTER_REF.id, subscription.transport.session_id);
    const after = [chatter(), chatter()];
    for (const person of after) say(fake.twitch, person, 'sorteio');
    await expectEntries(api, raffle.id, [...before, ...after].map((p) => p.id));
  });

  it('keepalive timeout: a connection that goes silent is replaced and the chat comes back', async () => {
    const { api, raffle, subscription } = await keywordSetup();
    const chat = chatOf(api);
    const session = chat.sessionOf(chat.consuming[0]!)!;
    fake.twitch.eventsub.freeze(subscription.transport.session_id);
    const fresh = await waitForChatSubscriptions(fake.twitch, BROADCASTER_REF.id, subscription.transport.session_id);
    expect(session.stats.keepaliveTimeouts).toBeGreaterThanOrEqual(1);
    const viewer = chatter();
    expect(say(fake.twitch, viewer, 'sorteio').delivered).toBe(1);
    await expectEntries(api, raffle.id, [viewer.id]);
    expect(fresh.transport.session_id).not.toBe(subscription.transport.session_id);
  });

  it('revocation: stops reading, and the streamer sees REVOKED until they link again', async () => {
    const { api, streamer } = await keywordSetup();
    const chat = chatOf(api);
    expect(fake.twitch.eventsub.revoke(streamer.twitchUserId, 'authorization_revoked')).toBe(4);
    await eventually(() => expect(chat.consuming).toEqual([]));
    await eventually(async () => {
      const { streamer: status } = await execute(api.url, TWITCH_CHAT, { id: streamer.id });
      expect(status.twitchChat.state).toBe('REVOKED');
      expect(status.twitchChat.message).toMatch(/authorization_revoked.*reconnect Twitch/);
    });
    // Later polls do not subscribe again while the status stands.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(fake.twitch.eventsub.subscriptions.size).toBe(0);
  });

  it('OWN_CHAT ignores messages sent in another channel of a Shared Chat session; WHOLE_SESSION counts them', async () => {
    const { api, raffle, streamer } = await keywordSetup();
    const guest = { id: '9009', login: 'guestchannel', name: 'GuestChannel' };
    const delivered = fake.twitch.eventsub.sharedChat('begin', {
      sessionId: 'shared-1',
      broadcaster: BROADCASTER_REF,
      host: BROADCASTER_REF,
      participants: [BROADCASTER_REF, guest].map((b) => ({ broadcaster_user_id: b.id, broadcaster_user_login: b.login, broadcaster_user_name: b.name })),
    });
    expect(delivered).toBe(1);
    const chat = chatOf(api);
    await eventually(() => expect(chat.sharedChatOf(streamer.id)).toMatchObject({ id: 'shared-1', participants: [BROADCASTER_REF.id, guest.id] }));
    const fromGuest = chatter('guestviewer');
    const own = chatter('ownviewer');
    const ownMarked = chatter('ownmarked');
    say(fake.twitch, fromGuest, 'sorteio', { source: guest });
    say(fake.twitch, own, 'sorteio');
    say(fake.twitch, ownMarked, 'sorteio', { source: BROADCASTER_REF });
    await expectEntries(api, raffle.id, [own.id, ownMarked.id]);
    expect(chat.stats.otherChannel).toBe(1);

    await execute(api.url, `mutation($id: ID!) { stopRaffle(raffleId: $id) { __typename } }`, { id: raffle.id });
    await eventually(() => expect(fake.twitch.eventsub.sessionIds()).toEqual([]));
    const whole = await startKeywordRaffle(api, streamer.id, { sharedChat: 'WHOLE_SESSION' });
    await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
    say(fake.twitch, fromGuest, 'sorteio', { source: guest });
    const rows = await expectEntries(api, whole.id, [fromGuest.id]);
    expect(rows[0]!.source_broadcaster_id).toBe(guest.id);
    fake.twitch.eventsub.sharedChat('begin', { sessionId: 'shared-2', broadcaster: BROADCASTER_REF, host: guest });
    await eventually(() => expect(chat.sharedChatOf(streamer.id)).toMatchObject({ id: 'shared-2', hostId: guest.id }));
    fake.twitch.eventsub.sharedChat('end', { sessionId: 'shared-2', broadcaster: BROADCASTER_REF, host: guest });
    await eventually(() => expect(chat.sharedChatOf(streamer.id)).toBeNull());
  });

  it('messages from before the raffle started do not count, and a stopped raffle stops the chat', async () => {
    const { api, raffle, streamer } = await keywordSetup();
    const chat = chatOf(api);
    const viewer = chatter();
    say(fake.twitch, viewer, 'sorteio');
    await expectEntries(api, raffle.id, [viewer.id]);
    await execute(api.url, `mutation($id: ID!) { stopRaffle(raffleId: $id) { __typename } }`, { id: raffle.id });
    await eventually(() => expect(chat.consuming).toEqual([]));
    await eventually(() => expect(fake.twitch.eventsub.sessionIds()).toEqual([]));
    // IDLE is recorded after the session closed; it is never overwritten by a late subscribe.
    await eventually(async () => {
      const { streamer: status } = await execute(api.url, TWITCH_CHAT, { id: streamer.id });
      expect(status.twitchChat.state).toBe('IDLE');
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { streamer: later } = await execute(api.url, TWITCH_CHAT, { id: streamer.id });
    expect(later.twitchChat.state).toBe('IDLE');
  });
});

describeWith({ postgres: true }, 'keyword entry over EventSub: a revocation during a poll', () => {
  it('a poll that read the raffles before the revocation does not open the chat again', async () => {
    const databaseUrl = await fake.sharedDatabase();
    // A long poll period: the only polls are the ones this test makes.
    const api = await fake.app({ databaseUrl, env: { TWITCH_CHAT_POLL_MS: '60000' } });
    const streamer = await linkedStreamer(api, fake.twitch);
    await startKeywordRaffle(api, streamer.id);
    await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
    const chat = chatOf(api);
    await eventually(() => expect(chat.consuming).toEqual([streamer.id]));

    // Hold the streamer's chat row: the next poll reads the raffles (the row still says
    // CONNECTED) and then waits on its lease renewal, and the revocation lands meanwhile.
    const lock = new pg.Client({ connectionString: databaseUrl });
    await lock.connect();
    fake.defer(() => lock.end());
    await lock.query('BEGIN');
    await lock.query('SELECT 1 FROM twitch_chat_streams WHERE streamer_id = $1 FOR UPDATE', [streamer.id]);
    const polled = chat.pollNow();
    await eventually(async () => {
      const { rows } = await lock.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`);
      expect(rows[0].n).toBe(1);
    });
    expect(fake.twitch.eventsub.revoke(streamer.twitchUserId, 'authorization_revoked')).toBe(4);
    await eventually(() => expect(chat.consuming).toEqual([]));
    await lock.query('COMMIT');
    await polled;

    await chat.pollNow();
    expect(chat.consuming).toEqual([]);
    expect(fake.twitch.eventsub.subscriptions.size).toBe(0);
    const { streamer: status } = await execute(api.url, TWITCH_CHAT, { id: streamer.id });
    expect(status.twitchChat.state).toBe('REVOKED');
  });
});

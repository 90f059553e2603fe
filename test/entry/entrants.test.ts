/**
 * The entrant sources the round runner will use: keyword entrants from raffle_entries with their
 * tickets, and presence-mode luck from Helix roles (batched by 100, cached, scopes checked).
 */
import { describe, expect, it } from 'vitest';
import { keywordEntrants } from '../../src/entry/keyword-entrants';
import { PresenceLuck } from '../../src/entry/presence-luck';
import { ValidationError } from '../../src/errors/domain-errors';
import { createHelixClient } from '../../src/twitch/api';
import { BROADCASTER, linkBroadcaster, linkedStreamer, useFakeTwitch } from '../twitch/support.js';
import { badge, chatter, expectEntries, say, startKeywordRaffle, waitForChatSubscriptions } from '../twitch/eventsub-support.js';

const fake = useFakeTwitch({ twitch: { eventsub: { keepaliveTimeoutSeconds: 2 } } });
const LUCK_SCOPES = ['channel:read:subscriptions', 'channel:read:vips', 'moderation:read'];

describe('keyword entrants', () => {
  it('returns each person who typed the keyword once, with the tickets of their highest role, in user id order', async () => {
    const api = await fake.app();
    const streamer = await linkedStreamer(api, fake.twitch);
    const raffle = await startKeywordRaffle(api, streamer.id, { luck: { subscriber: 3, vip: 5, moderator: 2 } });
    await waitForChatSubscriptions(fake.twitch, streamer.twitchUserId);
    const viewer = chatter('viewer');
    const sub = chatter('sub');
    const vipSub = chatter('vipsub');
    const mod = chatter('mod');
    say(fake.twitch, viewer, 'sorteio');
    say(fake.twitch, sub, 'sorteio', { badges: [badge('subscriber')] });
    say(fake.twitch, vipSub, 'SORTEIO', { badges: [badge('vip'), badge('subscriber')] });
    say(fake.twitch, mod, 'sorteio!', { badges: [badge('moderator')] });
    say(fake.twitch, viewer, 'sorteio', { badges: [badge('subscriber')] });
    await expectEntries(api, raffle.id, [viewer.id, sub.id, vipSub.id, mod.id]);
    const luck = { luckSubscriber: 3, luckVip: 5, luckModerator: 2 };
    const entrants = await keywordEntrants(api.services.db, { id: raffle.id, ...luck });
    expect(entrants).toEqual(
      [
        { userId: viewer.id, login: viewer.login, displayName: viewer.name, tickets: 1 },
        { userId: sub.id, login: sub.login, displayName: sub.name, tickets: 3 },
        { userId: vipSub.id, login: vipSub.login, displayName: vipSub.name, tickets: 5 },
        { userId: mod.id, login: mod.login, displayName: mod.name, tickets: 2 },
      ].sort((x, y) => (Buffer.from(x.userId) < Buffer.from(y.userId) ? -1 : 1)),
    );
    expect(await keywordEntrants(api.services.db, { id: 'another-raffle', ...luck })).toEqual([]);
  });
});

describe('presence luck from Helix roles', () => {
  function setup(scopes: string[]) {
    const tokens = linkBroadcaster(fake.twitch, ['moderator:read:chatters', 'user:write:chat', ...scopes]);
    const helix = createHelixClient({ apiUrl: fake.twitch.apiUrl, clientId: fake.twitch.clientId });
    let now = 0;
    const luck = new PresenceLuck({ helix, credentials: { tokenSource: () => ({ getAccessToken: () => tokens.accessToken }) }, ttlMs: 1000, now: () => now });
    const chatters = Array.from({ length: 250 }, (_, i) => ({ userId: String(50_000 + i), login: `c${i}`, displayName: `C${i}` }));
    return { luck, chatters, advance: (ms: number) => (now += ms), streamer: { id: 's1', twitchUserId: BROADCASTER.id, scopes } };
  }

  it('asks Get Broadcaster Subscriptions, Get VIPs and Get Moderators by 100 ids, caches, and gives the highest role', async () => {
    const { luck, chatters, advance, streamer } = setup(LUCK_SCOPES);
    fake.twitch.addRole('subscriber', BROADCASTER.id, chatters[0]!.userId);
    fake.twitch.addRole('subscriber', BROADCASTER.id, chatters[201]!.userId);
    fake.twitch.addRole('vip', BROADCASTER.id, chatters[201]!.userId);
    fake.twitch.addModerator(BROADCASTER.id, chatters[150]!.userId);
    const odds = { luckSubscriber: 3, luckVip: 4, luckModerator: 2 };
    const entrants = await luck.entrants(streamer, odds, chatters);
    const tickets = new Map(entrants.map((entrant) => [entrant.userId, entrant.tickets]));
    expect(tickets.get(chatters[0]!.userId)).toBe(3);
    expect(tickets.get(chatters[201]!.userId)).toBe(4);
    expect(tickets.get(chatters[150]!.userId)).toBe(2);
    expect(entrants.filter((entrant) => entrant.tickets === 1)).toHaveLength(247);
    // 3 roles × ceil(250 / 100) calls, each with at most 100 user_id parameters.
    expect(luck.calls).toBe(9);
    const roleCalls = fake.twitch.requests.filter((r) => /\/(subscriptions|channels\/vips|moderation\/moderators)$/.test(r.path));
    expect(roleCalls.every((r) => new URLSearchParams(r.query).getAll('user_id').length <= 100)).toBe(true);
    await luck.entrants(streamer, odds, chatters);
    expect(luck.calls).toBe(9);
    advance(1001);
    await luck.entrants(streamer, odds, chatters);
    expect(luck.calls).toBe(18);
  });

  it('no luck, no Helix call; a missing scope is a ValidationError naming it', async () => {
    const { luck, chatters, streamer } = setup(['channel:read:vips']);
    const plain = await luck.entrants(streamer, { luckSubscriber: 1, luckVip: 1, luckModerator: 1 }, chatters);
    expect(plain.every((entrant) => entrant.tickets === 1)).toBe(true);
    expect(luck.calls).toBe(0);
    const error = await luck.entrants(streamer, { luckSubscriber: 2, luckVip: 2, luckModerator: 1 }, chatters).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problems).toEqual([{ path: ['luck', 'subscriber'], message: expect.stringMatching(/channel:read:subscriptions/) }]);
  });
});

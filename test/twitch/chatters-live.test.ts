/** Rounds and liveChatters reading the stand-in's chat: every page, one fetch per TTL, rate limits respected, fair picks. */
import { describe, expect, it } from 'vitest';
import { addItems, createStreamer } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { CHI_SQUARE_CRITICAL_P001, chiSquare, seededServerSeeds } from '../support/seeded-random';
import type { TestApp } from '../support/test-app';
import { BROADCASTER, linkedStreamer, useFakeTwitch } from './support';

const fake = useFakeTwitch();
let api: TestApp | undefined;

const LIVE_CHATTERS = /* GraphQL */ `
  query Live($streamerId: ID!, $sampleSize: Int) {
    liveChatters(streamerId: $streamerId, sampleSize: $sampleSize) {
      __typename
      ... on LiveChatters { count total fetchedAt sample { userId login displayName } }
      ... on Error { message }
    }
  }
`;

async function live(streamerId: string, sampleSize = 20) {
  return (await execute(api!.url, LIVE_CHATTERS, { streamerId, sampleSize })).liveChatters;
}

const chatterPages = () => fake.twitch.requests.filter((entry) => entry.path === '/helix/chat/chatters');

describe('the Twitch chatter source', () => {
  it('reads 100 000 chatters (every page), excludes the broadcaster and bots, and every chatter is equally likely', async () => {
    api = await fake.app({ newServerSeed: seededServerSeeds(2024), env: { TWITCH_CHATTERS_CACHE_MS: '600000' } });
    const streamer = await linkedStreamer(api, fake.twitch);
    const viewers = fake.twitch.generateChatters(BROADCASTER.id, 100_000);
    fake.twitch.setChatters(BROADCASTER.id, [
      ...viewers.slice(0, 50_000),
      { userId: BROADCASTER.id, login: BROADCASTER.login, displayName: BROADCASTER.displayName },
      { userId: '42', login: 'Nightbot', displayName: 'Nightbot' },
      ...viewers.slice(50_000),
    ]);

    const started = performance.now();
    const chat = await live(streamer.id, 5);
    const fetchMs = performance.now() - started;
    expect(chat).toMatchObject({ __typename: 'LiveChatters', count: 100_000, total: 100_002 });
    expect(chat.sample).toHaveLength(5);
    expect(chatterPages()).toHaveLength(101);
    for (const page of chatterPages()) {
      const query = new URLSearchParams(page.query);
      expect(query.get('first')).toBe('1000');
      expect(query.get('broadcaster_id')).toBe(BROADCASTER.id);
      expect(query.get('moderator_id')).toBe(BROADCASTER.id);
    }
    console.info(`liveChatters over 100 002 chatters (101 pages): ${fetchMs.toFixed(0)} ms`);

    // Rounds use the same snapshot (cached for the test): 300 draws with repeat winners allowed,
    // winners counted per third of the chat (the first, middle and last ~33 pages). A round over
    // 100 000 chatters costs ~85 ms (mostly the eligibility filter), hence no more draws here.
    const draws = 300;
    await addItems(api.url, streamer.id, [{ name: 'sticker', weight: 1, stock: draws }]);
    const { startRaffle } = await execute(api.url, contractOperation('StartRaffle'), {
      input: { streamerId: streamer.id, intervalSeconds: 86_400, allowRepeatWinners: true },
    });
    const buckets = new Array<number>(3).fill(0);
    const drawStarted = performance.now();
    for (let draw = 0; draw < draws; draw += 1) {
      const round = await api.services.raffles.drawNow(startRaffle.id);
      expect(round.eligibleCount).toBe(100_000);
      const index = Number(round.winnerUserId) - 500_000_000;
      expect(index).toBeGreaterThanOrEqual(0);
      buckets[Math.floor((index * 3) / 100_000)]! += 1;
    }
    console.info(`${draws} rounds over 100 000 eligible chatters: ${(performance.now() - drawStarted).toFixed(0)} ms`);
    expect(chatterPages()).toHaveLength(101);
    const statistic = chiSquare(buckets, new Array(3).fill(1 / 3));
    expect(statistic, `winners per third of the chat: ${buckets.join(', ')}`).toBeLessThan(CHI_SQUARE_CRITICAL_P001[2]!);
  }, 180_000);

  it('shares one fetch between concurrent callers and refetches after the TTL', async () => {
    api = await fake.app({ env: { TWITCH_CHATTERS_CACHE_MS: '300' } });
    const streamer = await linkedStreamer(api, fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 2_500);
    fake.twitch.setPageLatency(30);
    const results = await Promise.all(Array.from({ length: 8 }, () => live(streamer.id)));
    expect(results.every((result) => result.count === 2_500)).toBe(true);
    expect(new Set(results.map((result) => result.fetchedAt)).size).toBe(1);
    expect(chatterPages()).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await live(streamer.id);
    expect(chatterPages()).toHaveLength(6);
  });

  it('waits for the rate-limit bucket instead of collecting 429s', async () => {
    api = await fake.app({ env: { TWITCH_CHATTERS_CACHE_MS: '0' } });
    const streamer = await linkedStreamer(api, fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 12_000);
    fake.twitch.throttle(5, 1_000);
    const started = performance.now();
    expect((await live(streamer.id)).count).toBe(12_000);
    const elapsed = performance.now() - started;
    expect(chatterPages()).toHaveLength(12);
    expect(fake.twitch.requestCount('/helix/', { status: 429 })).toBe(0);
    // 5 points up front, then the bucket refills at 5 per second: the last pages had to wait.
    expect(elapsed).toBeGreaterThan(900);
  });

  it('says the chat cannot be read while Twitch refuses, and a round then writes nothing', async () => {
    api = await fake.app({ env: { TWITCH_CHATTERS_CACHE_MS: '0' } });
    const streamer = await linkedStreamer(api, fake.twitch);
    fake.twitch.generateChatters(BROADCASTER.id, 10);
    await addItems(api.url, streamer.id, [{ name: 'mug', weight: 1 }]);
    const { startRaffle } = await execute(api.url, contractOperation('StartRaffle'), {
      input: { streamerId: streamer.id, intervalSeconds: 3600 },
    });

    fake.twitch.failNext('/helix/chat/chatters', 1, 400);
    const refused = await live(streamer.id);
    expect(refused.__typename).toBe('InvalidStateError');
    expect(refused.message).toMatch(/could not read the Twitch chat right now: GET \/chat\/chatters failed with 400/);

    fake.twitch.failNext('/helix/chat/chatters', 1, 400);
    await expect(api.services.rounds.run(startRaffle.id, { force: true })).resolves.toMatchObject({ kind: 'failed' });
    expect(await api.services.db.round.count({ where: { raffleId: startRaffle.id } })).toBe(0);

    // Twitch answers again: the same chat for both.
    expect(await live(streamer.id)).toMatchObject({ __typename: 'LiveChatters', count: 10 });
    await expect(api.services.rounds.run(startRaffle.id, { force: true })).resolves.toMatchObject({ kind: 'round' });
  });

  it('a configured server requires a linked streamer to start a raffle', async () => {
    api = await fake.app();
    const streamer = await createStreamer(api.url);
    await addItems(api.url, streamer.id, [{ name: 'mug', weight: 1 }]);
    const { startRaffle } = await execute(api.url, contractOperation('StartRaffle'), {
      input: { streamerId: streamer.id, intervalSeconds: 60 },
    });
    expect(startRaffle.__typename).toBe('TwitchNotLinkedError');
    expect((await live(streamer.id)).__typename).toBe('TwitchNotLinkedError');
  });
});

import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus, SubscriberTooSlowError, type EventBus } from '../../src/pubsub/event-bus';
import { topicGuards, type WinnerDrawnEvent } from '../../src/pubsub/topics';
import { describeWith } from '../support/describe-with';
import { sleep, SpareRedis, until, waitForRedisSubscribers } from './realtime-support';

/*
 * The event bus on its own: bounded subscriptions, payloads that do not fit their topic, and
 * Redis going away under publishes and subscribes. Unhandled rejections are collected: the
 * process must never see one, whatever Redis does.
 */

function capturingLogger() {
  const lines: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const win = (n: number): WinnerDrawnEvent => ({ raffleId: 'raffle-1', roundId: n, number: n });

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  await sleep(100); // let late rejections surface
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled.map(String)).toEqual([]);
});

/** How many PUBLISH commands the Redis server at `url` has run since it started. */
async function publishesSeenBy(url: string): Promise<number> {
  const client = new Redis(url);
  try {
    const stats = await client.info('commandstats');
    return Number(/^cmdstat_publish:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
  } finally {
    client.disconnect();
  }
}

async function drain(iterator: AsyncIterableIterator<WinnerDrawnEvent>) {
  const values: number[] = [];
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return { values, error: undefined };
      values.push(next.value.roundId);
    }
  } catch (error) {
    return { values, error };
  }
}

const LIMIT = 50;
type Buses = { publisher: EventBus; subscriber: EventBus; redisUrl?: string; close(): Promise<void> };

describe('bounded subscriptions on the in-process bus', () => {
  boundedSubscriptionCases(async () => {
    const bus = createEventBus(undefined, pino({ level: 'silent' }), { maxPendingPerSubscription: LIMIT });
    return { publisher: bus, subscriber: bus, close: () => bus.close() };
  });
});

describeWith({ redis: true }, 'bounded subscriptions on the redis bus (two buses, as two instances)', ({ redisUrl }) => {
  boundedSubscriptionCases(async () => {
    const publisher = createEventBus(redisUrl, pino({ level: 'silent' }), { maxPendingPerSubscription: LIMIT });
    const subscriber = createEventBus(redisUrl, pino({ level: 'silent' }), { maxPendingPerSubscription: LIMIT });
    await until('both buses ready', async () => (await Promise.all([publisher.ping(), subscriber.ping()]), true), 10_000);
    return { publisher, subscriber, redisUrl, close: async () => (await publisher.close(), await subscriber.close()) };
  });
});

function boundedSubscriptionCases(makeBuses: () => Promise<Buses>) {
  it('ends a subscription whose consumer stopped with SubscriberTooSlowError; other subscribers get every event', async () => {
    const { publisher, subscriber, redisUrl, close } = await makeBuses();
    try {
      const key = `streamer-${Date.now()}`;
      const stalled = subscriber.subscribe('winnerDrawn', key);
      const reader = subscriber.subscribe('winnerDrawn', key);
      const firstOfStalled = stalled.next(); // registers the listener, then never asks again
      const received: number[] = [];
      const reading = (async () => {
        for await (const event of reader) {
          received.push(event.roundId);
          if (received.length === 2_000) return undefined;
        }
        return undefined;
      })().catch((error: unknown) => error);
      if (redisUrl) await waitForRedisSubscribers(redisUrl, `winnerDrawn:${key}`);
      else await sleep(20);
      // A publisher at a pace the reading subscriber keeps up with (a burst larger than the
      // limit within one tick would end every subscription alike); the stalled one falls behind.
      for (let n = 1; n <= 2_000; n += 1) {
        publisher.publish('winnerDrawn', key, win(n));
        if (n % 10 === 0) await until(`the reader at ${n - 10}`, () => received.length >= n - 10, 10_000, 1);
      }
      expect(await reading).toBeUndefined();
      expect(received).toEqual(Array.from({ length: 2_000 }, (_, index) => index + 1));

      expect((await firstOfStalled).value?.roundId).toBe(1);
      const rest = await drain(stalled);
      expect(rest.error).toBeInstanceOf(SubscriberTooSlowError);
      // Exactly LIMIT events were taken for it (the first, handed to its one next(), and LIMIT - 1
      // waiting); event LIMIT + 1 ended it. Still delivered before the error, in order: bounded by
      // the limit, not by the 2,000 published, and nothing it was given is lost.
      expect([1, ...rest.values]).toEqual(Array.from({ length: LIMIT }, (_, index) => index + 1));
    } finally {
      await close();
    }
  });
}

describe('winnerDrawn payloads', () => {
  const round = { id: 5, raffleId: 'r1', itemId: 'i1', at: '2026-12-02T00:00:00.000Z' };
  const fits = (value: unknown) => topicGuards.winnerDrawn(value);
  it('carry the round row of their own round, and the item row only with it and of its item', () => {
    expect(fits({ raffleId: 'r1', roundId: 5, number: 1 })).toBe(true);
    expect(fits({ raffleId: 'r1', roundId: 5, number: 1, round })).toBe(true);
    expect(fits({ raffleId: 'r1', roundId: 5, number: 1, round, item: { id: 'i1', name: 'skin' } })).toBe(true);
    expect(fits({ raffleId: 'r1', roundId: 6, number: 1, round })).toBe(false);
    expect(fits({ raffleId: 'r1', roundId: 5, number: 1, item: { id: 'i1' } })).toBe(false);
    expect(fits({ raffleId: 'r1', roundId: 5, number: 1, round, item: { id: 'i2' } })).toBe(false);
    expect(fits({ raffleId: 'r1', roundId: 5, number: 1, round, item: { id: 'i1', nested: {} } })).toBe(false);
  });
});

describeWith({ redis: true }, 'redis bus: payloads that do not fit the topic', ({ redisUrl }) => {
  it('drops malformed and foreign messages on a channel, logs them, and delivers the valid ones', async () => {
    const { logger, lines } = capturingLogger();
    const bus = createEventBus(redisUrl, logger);
    const raw = new Redis(redisUrl);
    try {
      const key = `streamer-${Date.now()}`;
      const iterator = bus.subscribe('winnerDrawn', key);
      const first = iterator.next();
      await waitForRedisSubscribers(redisUrl, `winnerDrawn:${key}`);
      await raw.publish(`winnerDrawn:${key}`, 'not json at all');
      await raw.publish(`winnerDrawn:${key}`, JSON.stringify({ raffleId: 'r', roundId: 'DROP TABLE rounds', number: 1 }));
      await raw.publish(`winnerDrawn:${key}`, JSON.stringify(win(7)));
      expect((await first).value).toEqual(win(7));
      const dropped = lines.filter((line) => /does not fit its topic/.test(line.msg));
      expect(dropped.map((line) => [line.level, line.channel])).toEqual([
        [40, `winnerDrawn:${key}`],
        [40, `winnerDrawn:${key}`],
      ]);
      // The subscription lives on after the bad messages: the next valid one arrives too.
      await raw.publish(`winnerDrawn:${key}`, JSON.stringify(win(8)));
      expect((await iterator.next()).value).toEqual(win(8));
      await iterator.return?.();
    } finally {
      raw.disconnect();
      await bus.close();
    }
  });
});

describeWith({ redisServerBinary: true }, 'redis bus while Redis is away', () => {
  let redis: SpareRedis;
  beforeEach(async () => {
    redis = await SpareRedis.start();
  });
  afterEach(() => redis.kill());

  it('subscribes, unsubscribes and closes on a dead connection without an unhandled rejection', async () => {
    const { logger } = capturingLogger();
    const bus = createEventBus(redis.url, logger);
    await until('bus ready', async () => (await bus.ping(), true), 10_000);
    await redis.kill();
    await expect(bus.ping()).rejects.toThrow(); // the connection is really gone
    const iterator = bus.subscribe('winnerDrawn', 'nobody-home');
    const pending = iterator.next(); // SUBSCRIBE waits for a connection that will not come back
    await sleep(200);
    await iterator.return?.();
    // Ending the subscription ends its pending next() (it does not hang or reject).
    expect(await pending).toEqual({ done: true, value: undefined });
    // On a dead link ioredis holds SUBSCRIBE/UNSUBSCRIBE until a reconnect that close() cancels:
    // they never settle, and closing must not wait for them.
    await bus.close();
    // (the afterEach hook fails the test if anything here became an unhandled rejection)
  });

  it('ends subscriptions after the bus was closed (UNSUBSCRIBE on a closed connection) without an unhandled rejection', async () => {
    const bus = createEventBus(redis.url, pino({ level: 'silent' }));
    await until('bus ready', async () => (await bus.ping(), true), 10_000);
    const iterators = ['a', 'b'].map((key) => bus.subscribe('winnerDrawn', `closing-${key}`));
    const pending = iterators.map((iterator) => iterator.next());
    await bus.whenLive();
    await bus.close(); // as at shutdown: the bus goes first, the clients' subscriptions after it
    for (const iterator of iterators) await iterator.return?.();
    // Each return() sent an UNSUBSCRIBE that ioredis rejects at once ("Connection is closed"):
    // caught inside the bus, or the afterEach hook sees it.
    expect(await Promise.all(pending)).toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
  });

  it('keeps running through a restart: publishes fail softly, subscriptions resume and report a resync', async () => {
    const publisherLog = capturingLogger();
    const publisher = createEventBus(redis.url, publisherLog.logger);
    const subscriber = createEventBus(redis.url, pino({ level: 'silent' }));
    let resyncs = 0;
    subscriber.onResync(() => (resyncs += 1));
    try {
      await until('buses ready', async () => (await Promise.all([publisher.ping(), subscriber.ping()]), true), 10_000);
      const key = `streamer-${Date.now()}`;
      const iterator = subscriber.subscribe('winnerDrawn', key);
      const firstNext = iterator.next();
      await waitForRedisSubscribers(redis.url, `winnerDrawn:${key}`);
      publisher.publish('winnerDrawn', key, win(1));
      expect((await firstNext).value).toEqual(win(1));
      const resyncsBefore = resyncs;

      await redis.kill();
      await expect(publisher.ping()).rejects.toThrow();
      expect(() => publisher.publish('winnerDrawn', key, win(2))).not.toThrow(); // fails: kept to re-send
      await until('the failed publish logged', () => publisherLog.lines.some((line) => /publish to redis failed/.test(line.msg)), 10_000);

      await redis.start();
      await until('the subscriber resubscribed and reported a resync', () => resyncs > resyncsBefore, 30_000);
      await waitForRedisSubscribers(redis.url, `winnerDrawn:${key}`);
      await until('publisher ready', async () => (await publisher.ping(), true), 30_000);
      // The failed publish was kept and sent again once the publisher was back: the restarted
      // server (a new process, fresh counters) has seen exactly one PUBLISH, sent on the
      // publisher's connection before the PING that just answered.
      expect(await publishesSeenBy(redis.url)).toBe(1);
      publisher.publish('winnerDrawn', key, win(3));
      // The re-sent win(2) reaches the subscriber only if it had resubscribed by then (two
      // independent reconnects), and then before win(3), once; win(3) arrives either way.
      const seen: number[] = [];
      while (!seen.includes(3)) {
        const next = await iterator.next();
        expect(next.done).toBe(false);
        seen.push(next.value.roundId);
      }
      expect([[3], [2, 3]]).toContainEqual(seen);
      await iterator.return?.();
    } finally {
      await publisher.close();
      await subscriber.close();
    }
  });
});

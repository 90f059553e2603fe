import { Redis } from 'ioredis';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBus, SubscriberTooSlowError, type EventBus } from '../../src/pubsub/event-bus';
import type { WinnerDrawnEvent } from '../../src/pubsub/topics';
import { realRedisUrl } from '../support/services';
import { redisServerInstalled, sleep, SpareRedis, until, waitForRedisSubscribers } from './realtime-support';

/*
 * The event bus on its own: bounded subscriptions, payloads that do not fit their topic, and
 * Redis going away under publishes and subscribes. Unhandled rejections are collected: the
 * process must never see one, whatever Redis does.
 */

const redisUrl = await realRedisUrl();
const canRestartRedis = redisServerInstalled();

function capturingLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
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

const buses: Array<[string, () => Promise<{ publisher: EventBus; subscriber: EventBus; close(): Promise<void> }>]> = [
  [
    'in-process',
    async () => {
      const bus = createEventBus(undefined, pino({ level: 'silent' }), { maxPendingPerSubscription: 50 });
      return { publisher: bus, subscriber: bus, close: () => bus.close() };
    },
  ],
];
if (redisUrl) {
  buses.push([
    'redis (two buses, as two instances)',
    async () => {
      const publisher = createEventBus(redisUrl, pino({ level: 'silent' }), { maxPendingPerSubscription: 50 });
      const subscriber = createEventBus(redisUrl, pino({ level: 'silent' }), { maxPendingPerSubscription: 50 });
      await until('both buses ready', async () => (await Promise.all([publisher.ping(), subscriber.ping()]), true), 10_000);
      return { publisher, subscriber, close: async () => (await publisher.close(), await subscriber.close()) };
    },
  ]);
}

describe.each(buses)('bounded subscriptions on the %s bus', (_name, makeBuses) => {
  it('ends a subscription whose consumer stopped with SubscriberTooSlowError; other subscribers get every event', async () => {
    const { publisher, subscriber, close } = await makeBuses();
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
      if (publisher.kind === 'redis') await waitForRedisSubscribers(redisUrl!, `winnerDrawn:${key}`);
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
      // The values it still holds are bounded by the limit (50), not by what was published.
      expect(rest.values.length).toBeLessThanOrEqual(51);
      expect(rest.values).toEqual(Array.from({ length: rest.values.length }, (_, index) => index + 2));
    } finally {
      await close();
    }
  });
});

describe.skipIf(!redisUrl)(redisUrl ? 'redis bus: payloads that do not fit the topic' : 'redis bus: payloads [SKIPPED: no real Redis reachable]', () => {
  it('drops malformed and foreign messages on a channel, logs them, and delivers the valid ones', async () => {
    const { logger, lines } = capturingLogger();
    const bus = createEventBus(redisUrl, logger);
    const raw = new Redis(redisUrl!);
    try {
      const key = `streamer-${Date.now()}`;
      const iterator = bus.subscribe('winnerDrawn', key);
      const first = iterator.next();
      await waitForRedisSubscribers(redisUrl!, `winnerDrawn:${key}`);
      await raw.publish(`winnerDrawn:${key}`, 'not json at all');
      await raw.publish(`winnerDrawn:${key}`, JSON.stringify({ raffleId: 'r', roundId: 'DROP TABLE rounds', number: 1 }));
      await raw.publish(`winnerDrawn:${key}`, JSON.stringify(win(7)));
      expect((await first).value).toEqual(win(7));
      expect(lines.filter((line) => /does not fit its topic/.test(line.msg))).toHaveLength(2);
      await iterator.return?.();
    } finally {
      raw.disconnect();
      await bus.close();
    }
  });
});

describe.skipIf(!canRestartRedis)(canRestartRedis ? 'redis bus while Redis is away' : 'redis bus outages [SKIPPED: no redis-server binary]', () => {
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
    const iterator = bus.subscribe('winnerDrawn', 'nobody-home');
    const pending = iterator.next(); // SUBSCRIBE waits for a connection that will not come back
    await sleep(200);
    await iterator.return?.();
    await pending;
    await bus.close(); // rejects the queued SUBSCRIBE/UNSUBSCRIBE: caught inside the bus
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
      publisher.publish('winnerDrawn', key, win(2)); // fails: kept to re-send, never thrown
      await expect(publisher.ping()).rejects.toThrow();
      await until('the failed publish logged', () => publisherLog.lines.some((line) => /publish to redis failed/.test(line.msg)), 10_000);

      await redis.start();
      await until('the subscriber resubscribed and reported a resync', () => resyncs > resyncsBefore, 30_000);
      await waitForRedisSubscribers(redis.url, `winnerDrawn:${key}`);
      await until('publisher ready', async () => (await publisher.ping(), true), 30_000);
      publisher.publish('winnerDrawn', key, win(3));
      // win(2) arrives too when the publisher re-sent it after the subscriber was back; either way win(3) does.
      const seen: number[] = [];
      while (!seen.includes(3)) seen.push((await iterator.next()).value.roundId);
      expect(seen.filter((n) => n !== 2)).toEqual([3]);
      await iterator.return?.();
    } finally {
      await publisher.close();
      await subscriber.close();
    }
  });
});

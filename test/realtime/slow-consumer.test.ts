import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { SLOW_CONSUMER_CLOSE_CODE } from '../../src/http/graphql-ws';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute, subscribe } from '../support/graphql';
import { describeWith } from '../support/describe-with';
import { startTestApp, type TestApp } from '../support/test-app';
import { RawWs, waitForRedisSubscribers } from './realtime-support';


/*
 * A client that stops reading. The kernel takes a few MB of a paused loopback socket before the
 * server's own buffer (ws' bufferedAmount) grows at all, so each event here is large: a selection
 * of the streamer's 200 items (long names) under ten aliases, about 0.4 MB per event.
 */
const ALIASES = 10;
const HEAVY = `subscription Heavy($streamerId: ID!) {
  raffleEvents(streamerId: $streamerId) {
    kind
    ${Array.from({ length: ALIASES }, (_, index) => `a${index}: raffle { streamer { items { id name weight stock remaining } } }`).join('\n    ')}
  }
}`;

describeWith({ postgres: true, redis: true }, 'a WebSocket client that does not read', ({ postgresUrl, redisUrl }) => {
  const maxBufferedBytes = 256 * 1024;
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({
      env: { REDIS_URL: redisUrl, WS_MAX_BUFFERED_BYTES: String(maxBufferedBytes), WS_KEEPALIVE_MS: '0' },
    });
  });
  afterAll(() => api?.stop());

  it(`is closed with ${SLOW_CONSUMER_CLOSE_CODE} once its unsent data passes the limit, while another subscriber keeps receiving promptly`, async () => {
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(300));
    await addItems(
      api.url,
      streamer.id,
      Array.from({ length: 200 }, (_, index) => ({ name: `${String(index).padStart(3, '0')} ${'limited edition holographic card '.repeat(3)}`.slice(0, 100), weight: 1, stock: 5 })),
    );
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });

    const slow = new RawWs(api.url);
    await slow.opened;
    slow.init();
    await slow.waitFor((message) => message.type === 'connection_ack');
    slow.send({ id: 'heavy', type: 'subscribe', payload: { query: HEAVY, variables: { streamerId: streamer.id } } });
    const healthy = await subscribe(api.url, contractOperation('WinnerDrawn'), { streamerId: streamer.id });
    try {
      await waitForRedisSubscribers(redisUrl, `raffleEvents:${streamer.id}`);
      await waitForRedisSubscribers(redisUrl, `winnerDrawn:${streamer.id}`);

      // One event reaches the slow client while it still reads: that is the size of each event.
      const { drawRound: first } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      await slow.waitFor((message) => message.id === 'heavy' && message.type === 'next', 20_000);
      const eventBytes = slow.receivedBytes;
      expect((await healthy.next(10_000)).winnerDrawn.id).toBe(first.id);

      slow.socket.pause(); // stops reading: the kernel buffers fill, then the server's
      const rounds = 40;
      const latencies: number[] = [];
      for (let round = 0; round < rounds; round += 1) {
        const started = Date.now();
        const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
        const event = await healthy.next(15_000);
        latencies.push(Date.now() - started);
        expect(event.winnerDrawn.id).toBe(drawRound.id);
      }

      slow.socket.resume();
      const closed = await slow.closedWithin(30_000);
      expect(closed.code).toBe(SLOW_CONSUMER_CLOSE_CODE);
      expect(closed.reason).toMatch(/Slow consumer/);
      const delivered = slow.messages.filter((message) => message.type === 'next').length;
      // Cut off: far fewer events than were published, and bounded bytes (kernel buffers + limit).
      expect(delivered).toBeLessThan(rounds);
      expect(slow.receivedBytes).toBeLessThan(rounds * eventBytes);

      // The healthy subscriber goes on after the slow one was dropped.
      const { drawRound: after } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      expect((await healthy.next(10_000)).winnerDrawn.id).toBe(after.id);
      latencies.sort((a, b) => a - b);
      console.info(
        `[slow-consumer] event ${(eventBytes / 1024).toFixed(0)} KiB; slow client got ${delivered}/${rounds + 1} events ` +
          `(${(slow.receivedBytes / 1024 / 1024).toFixed(1)} MiB) before ${closed.code}; healthy subscriber draw→event ` +
          `median ${latencies[Math.floor(latencies.length / 2)]} ms, max ${latencies[latencies.length - 1]} ms`,
      );
    } finally {
      slow.terminate();
      await healthy.return();
    }
  }, 120_000);
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { describeWith } from '../support/describe-with';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';
import { openSse, waitForRedisSubscribers } from './realtime-support';


const WINNER_DRAWN = contractOperation('WinnerDrawn');
const overlayKeyOf = (streamer: { overlayUrl: string }) => new URL(streamer.overlayUrl).searchParams.get('key')!;

describeWith({ postgres: true, redis: true }, 'subscriptions over SSE (Accept: text/event-stream)', ({ postgresUrl, redisUrl }) => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ env: { REDIS_URL: redisUrl } });
  });
  afterAll(() => api?.stop());

  async function raffleFor(streamer: { id: string }) {
    api.chatters.set(streamer.id, generateViewers(10));
    await addItems(api.url, streamer.id, [{ name: 'lanyard', weight: 1, stock: 5 }]);
    return startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
  }

  it.each([
    ['the service token (Authorization header)', (_streamer: { overlayUrl: string }) => ({ authorization: `Bearer ${TEST_API_TOKEN}` })],
    ["the streamer's overlay key (X-Overlay-Key header)", (streamer: { overlayUrl: string }) => ({ 'x-overlay-key': overlayKeyOf(streamer) })],
  ])('delivers a win with %s', async (_name, headersFor) => {
    const streamer = await createStreamer(api.url);
    const raffle = await raffleFor(streamer);
    const stream = await openSse(api.url, WINNER_DRAWN, { streamerId: streamer.id }, headersFor(streamer));
    try {
      expect(stream.status).toBe(200);
      await waitForRedisSubscribers(redisUrl, `winnerDrawn:${streamer.id}`);
      const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      const event = await stream.next(15_000);
      expect(event.event).toBe('next');
      expect(event.data.errors).toBeUndefined();
      expect(event.data.data.winnerDrawn).toMatchObject({ id: drawRound.id, number: 1, winner: drawRound.winner });
    } finally {
      stream.close();
    }
  });

  it("refuses an overlay key of another streamer, and sends nothing of that streamer's wins", async () => {
    const target = await createStreamer(api.url);
    const intruder = await createStreamer(api.url);
    const raffle = await raffleFor(target);
    const stream = await openSse(api.url, WINNER_DRAWN, { streamerId: target.id }, { 'x-overlay-key': overlayKeyOf(intruder) });
    try {
      const first = await stream.next(10_000);
      expect(first.event).toBe('next');
      expect(first.data.data ?? null).toBeNull();
      expect(first.data.errors[0].extensions.code).toBe('FORBIDDEN');
      // The stream ends; a win drawn now is not sent on it.
      await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      const rest: string[] = [];
      for (;;) {
        const event = await stream.next(5_000).catch(() => undefined);
        if (!event) break;
        rest.push(event.event);
      }
      expect(rest.every((kind) => kind === 'complete')).toBe(true);
    } finally {
      stream.close();
    }
  });

  it('refuses an unknown overlay key as unauthenticated', async () => {
    const streamer = await createStreamer(api.url);
    const stream = await openSse(api.url, WINNER_DRAWN, { streamerId: streamer.id }, { 'x-overlay-key': 'not-a-key' });
    try {
      const first = await stream.next(10_000);
      expect(first.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    } finally {
      stream.close();
    }
  });
});

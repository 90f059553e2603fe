import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { describeWith } from '../support/describe-with';
import { startTestApp, type TestApp } from '../support/test-app';
import { openSse, RawWs, sleep, startCluster, until, waitForRedisSubscribers, type Cluster } from './realtime-support';

const WINNER_DRAWN = contractOperation('WinnerDrawn');
const overlayKeyOf = (streamer: { overlayUrl: string }) => new URL(streamer.overlayUrl).searchParams.get('key')!;

/** A graphql-ws socket with an overlay key, past connection_ack, subscribed to winnerDrawn. */
async function overlaySocket(baseUrl: string, streamerId: string, overlayKey: string): Promise<RawWs> {
  const socket = new RawWs(baseUrl);
  await socket.opened;
  socket.init({ overlayKey });
  await socket.waitFor((message) => message.type === 'connection_ack');
  socket.send({ id: '1', type: 'subscribe', payload: { query: WINNER_DRAWN, variables: { streamerId } } });
  return socket;
}

/** How the server answers a socket that sends connection_init with `overlayKey`: 'ack' or the close code. */
async function initOutcome(baseUrl: string, overlayKey: string): Promise<{ outcome: 'ack' | number; socket: RawWs }> {
  const socket = new RawWs(baseUrl);
  await socket.opened;
  socket.init({ overlayKey });
  const outcome = await Promise.race([
    socket.waitFor((message) => message.type === 'connection_ack').then(() => 'ack' as const),
    socket.closed.then((closed) => closed.code),
  ]);
  return { outcome, socket };
}

describeWith({ postgres: true, redis: true }, 'overlay key rotation and live-connection caps (two instances, one Redis)', ({ postgresUrl, redisUrl }) => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ postgresUrl, redisUrl, count: 2 });
    // Every instance listens for rotations from start-up; wait until Redis has both listeners.
    await waitForRedisSubscribers(redisUrl, 'overlayKeyRotated:all', 2);
  });
  afterAll(() => cluster?.stop());

  it('rotating the key on A closes the graphql-ws socket on A (4403) and the SSE stream on B, and the old key is refused afterwards', async () => {
    const [a, b] = cluster.apps;
    const streamer = await createStreamer(a!.url);
    const oldKey = overlayKeyOf(streamer);
    cluster.chatters.set(streamer.id, generateViewers(10));
    await addItems(a!.url, streamer.id, [{ name: 'keychain', weight: 1, stock: 10 }]);
    const raffle = await startRaffle(a!.url, { streamerId: streamer.id, intervalSeconds: 3600 });

    const socket = await overlaySocket(a!.url, streamer.id, oldKey);
    const stream = await openSse(b!.url, WINNER_DRAWN, { streamerId: streamer.id }, { 'x-overlay-key': oldKey });
    try {
      expect(stream.status).toBe(200);
      await waitForRedisSubscribers(redisUrl, `winnerDrawn:${streamer.id}`, 2);
      // Both are live: a win reaches both.
      const { drawRound: before } = await execute(a!.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      await socket.waitFor((message) => message.type === 'next' && message.payload.data?.winnerDrawn?.id === before.id, 15_000);
      expect((await stream.next(15_000)).data.data.winnerDrawn.id).toBe(before.id);

      const nextsBefore = socket.messages.filter((message) => message.type === 'next').length;
      const { rotateOverlayKey } = await execute(a!.url, contractOperation('RotateOverlayKey'), { streamerId: streamer.id });
      const committedAt = performance.now();
      expect(rotateOverlayKey.__typename).toBe('Streamer');
      const newKey = overlayKeyOf(rotateOverlayKey);
      expect(newKey).not.toBe(oldKey);

      const [wsClosed, sseMs] = await Promise.all([
        socket.closedWithin(1_000).then((closed) => ({ ...closed, ms: performance.now() - committedAt })),
        Promise.race([
          stream.ended.then(() => performance.now() - committedAt),
          sleep(1_000).then(() => {
            throw new Error('SSE stream still open 1 s after the rotation');
          }),
        ]),
      ]);
      expect(wsClosed.code).toBe(4403);
      console.info(`rotation → graphql-ws socket on A closed after ${wsClosed.ms.toFixed(1)} ms, SSE stream on B ended after ${sseMs.toFixed(1)} ms`);

      // A win drawn after the cut reaches neither.
      const { drawRound: after } = await execute(a!.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      expect(after.__typename).toBe('Round');
      await sleep(300);
      expect(socket.messages.filter((message) => message.type === 'next').length).toBe(nextsBefore);
      expect(stream.received.filter((event) => event.data?.data?.winnerDrawn).map((event) => event.data.data.winnerDrawn.id)).toEqual([before.id]);

      // The old key opens nothing new, on either instance and either transport; the new one does.
      for (const app of [a!, b!]) {
        const refused = await initOutcome(app.url, oldKey);
        expect(refused.outcome).toBe(4403);
        const again = await openSse(app.url, WINNER_DRAWN, { streamerId: streamer.id }, { 'x-overlay-key': oldKey });
        const first = await again.next(10_000);
        again.close();
        expect(first.data.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      }
      const accepted = await initOutcome(b!.url, newKey);
      expect(accepted.outcome).toBe('ack');
      accepted.socket.terminate();
    } finally {
      socket.terminate();
      stream.close();
    }
  });

  it('rotating one streamer\'s key leaves another streamer\'s overlay connected', async () => {
    const [a, b] = cluster.apps;
    const rotated = await createStreamer(a!.url);
    const other = await createStreamer(a!.url);
    const otherSocket = await overlaySocket(b!.url, other.id, overlayKeyOf(other));
    const rotatedSocket = await overlaySocket(b!.url, rotated.id, overlayKeyOf(rotated));
    try {
      await execute(a!.url, contractOperation('RotateOverlayKey'), { streamerId: rotated.id });
      expect((await rotatedSocket.closedWithin(1_000)).code).toBe(4403);
      const stillOpen = await Promise.race([otherSocket.closed.then(() => false), sleep(300).then(() => true)]);
      expect(stillOpen).toBe(true);
    } finally {
      otherSocket.terminate();
      rotatedSocket.terminate();
    }
  });

  it('caps live connections per overlay key at 20 (graphql-ws and SSE together); a closed one frees its slot', async () => {
    const [a, b] = cluster.apps;
    const streamer = await createStreamer(a!.url);
    const key = overlayKeyOf(streamer);
    const sockets: RawWs[] = [];
    const streams: Array<Awaited<ReturnType<typeof openSse>>> = [];
    try {
      for (let index = 0; index < 19; index += 1) sockets.push(await overlaySocket(a!.url, streamer.id, key));
      const sse = await openSse(a!.url, WINNER_DRAWN, { streamerId: streamer.id }, { 'x-overlay-key': key });
      streams.push(sse);
      expect(sse.status).toBe(200);

      // The 21st: a socket is closed with 4429 after connection_init, an SSE request answered 429.
      const excess = await initOutcome(a!.url, key);
      expect(excess.outcome).toBe(4429);
      expect((await excess.socket.closed).reason).toMatch(/too many live connections for this overlay key/i);
      const response = await fetch(`${a!.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-overlay-key': key },
        body: JSON.stringify({ query: WINNER_DRAWN, variables: { streamerId: streamer.id } }),
      });
      expect(response.status).toBe(429);
      const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
      expect(body.errors[0]!.extensions.code).toBe('TOO_MANY_CONNECTIONS');
      expect(body.errors[0]!.message).toMatch(/at most 20/);

      // The cap is per instance: B still takes this key.
      const onB = await initOutcome(b!.url, key);
      expect(onB.outcome).toBe('ack');
      onB.socket.terminate();

      // Closing the SSE stream frees a slot for a socket; closing a socket frees one for SSE.
      sse.close();
      streams.length = 0;
      const freed = await until('a socket admitted after the SSE stream closed', async () => {
        const attempt = await initOutcome(a!.url, key);
        if (attempt.outcome === 'ack') return attempt.socket;
        return false;
      }, 5_000, 100);
      sockets.push(freed);
      sockets.shift()!.terminate();
      const reopened = await until('an SSE stream admitted after a socket closed', async () => {
        const attempt = await openSse(a!.url, WINNER_DRAWN, { streamerId: streamer.id }, { 'x-overlay-key': key });
        if (attempt.status === 200) return attempt;
        attempt.close();
        return false;
      }, 5_000, 100);
      streams.push(reopened);
    } finally {
      for (const socket of sockets) socket.terminate();
      for (const stream of streams) stream.close();
    }
  });
});

describeWith({ postgres: true, redis: true }, 'live-connection cap per client address', ({ redisUrl }) => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ env: { REDIS_URL: redisUrl, LIVE_MAX_PER_ADDRESS: '3' } });
  });
  afterAll(() => api?.stop());

  it('answers the upgrade beyond the cap with 429, SSE too, and frees the slot when a connection ends', async () => {
    const streamer = await createStreamer(api.url);
    const sockets = [new RawWs(api.url), new RawWs(api.url)];
    await Promise.all(sockets.map((socket) => socket.opened));
    const stream = await openSse(api.url, WINNER_DRAWN, { streamerId: streamer.id }, { 'x-overlay-key': overlayKeyOf(streamer) });
    try {
      expect(stream.status).toBe(200);
      const excess = new RawWs(api.url);
      await expect(excess.opened).rejects.toThrow(/HTTP 429/);
      const excessSse = await openSse(api.url, WINNER_DRAWN, { streamerId: streamer.id }, { 'x-overlay-key': overlayKeyOf(streamer) });
      expect(excessSse.status).toBe(429);
      excessSse.close();

      sockets.shift()!.terminate();
      const admitted = await until('an upgrade admitted after a socket closed', async () => {
        const attempt = new RawWs(api.url);
        return attempt.opened.then(
          () => attempt,
          () => false as const,
        );
      }, 5_000, 100);
      sockets.push(admitted);
    } finally {
      for (const socket of sockets) socket.terminate();
      stream.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { MAX_SUBSCRIPTIONS_PER_SOCKET } from '../../src/http/graphql-ws';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { startTestApp, TEST_API_TOKEN, type TestApp } from '../support/test-app';
import { RawWs, sleep } from './realtime-support';

/*
 * The graphql-transport-ws protocol at the edges, with a raw `ws` client. These cases do not
 * depend on Redis or PostgreSQL (the app uses real PostgreSQL when reachable, else PGlite).
 */

const WINNER_DRAWN = contractOperation('WinnerDrawn');
const overlayKeyOf = (streamer: { overlayUrl: string }) => new URL(streamer.overlayUrl).searchParams.get('key')!;

describe('graphql-ws protocol cases', () => {
  const initTimeoutMs = 400;
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({
      env: { WS_CONNECTION_INIT_TIMEOUT_MS: String(initTimeoutMs), WS_ALLOWED_ORIGINS: 'https://overlay.example' },
    });
  });
  afterAll(() => api?.stop());

  const sockets: RawWs[] = [];
  const open = async (options?: ConstructorParameters<typeof RawWs>[1]) => {
    const ws = new RawWs(api.url, options);
    sockets.push(ws);
    await ws.opened;
    return ws;
  };
  afterAll(() => {
    for (const ws of sockets) ws.terminate();
  });

  it('closes with 4408 when connection_init does not come within WS_CONNECTION_INIT_TIMEOUT_MS', async () => {
    const started = Date.now();
    const ws = await open();
    const closed = await ws.closedWithin(15_000);
    expect(closed.code).toBe(4408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(initTimeoutMs - 50);
  });

  it('sends a shared (serialized-once) win as the very bytes of graphql-ws own path, as text frames', async () => {
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(30));
    await addItems(api.url, streamer.id, [{ name: 'Ünïcode "prize" ✓', weight: 2, stock: 10 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const first = await api.services.rounds.run(raffle.id, { force: true });
    if (first.kind !== 'round') throw new Error(`no round: ${first.kind}`);
    // The contract's document with afterRoundId: the same selection, so the same payload.
    const resuming = WINNER_DRAWN.replace('($streamerId: ID!)', '($streamerId: ID!, $afterRoundId: ID)').replace(
      'winnerDrawn(streamerId: $streamerId)',
      'winnerDrawn(streamerId: $streamerId, afterRoundId: $afterRoundId)',
    );
    expect(resuming).toContain('afterRoundId: $afterRoundId');
    const subscribeOn = async (params: Record<string, unknown>, id: string, variables: Record<string, unknown>, query = WINNER_DRAWN) => {
      const ws = await open();
      ws.init(params);
      await ws.waitFor((message) => message.type === 'connection_ack');
      const binary: boolean[] = [];
      ws.socket.on('message', (_data, isBinary) => binary.push(isBinary));
      ws.send({ id, type: 'subscribe', payload: { query, variables } });
      return { ws, binary };
    };
    const channelOnly = { streamerId: streamer.id };
    // Shared feeds (channel argument only), two principal classes, ids that JSON must escape.
    const shared = [
      await subscribeOn({ authorization: `Bearer ${TEST_API_TOKEN}` }, 'svc "1" \\ é', channelOnly),
      await subscribeOn({ overlayKey: overlayKeyOf(streamer) }, 'ov-1', channelOnly),
    ];
    // afterRoundId = the last round: nothing to replay, its own stream, graphql-ws' own next path.
    const normal = [
      await subscribeOn({ authorization: `Bearer ${TEST_API_TOKEN}` }, 'svc-own', { ...channelOnly, afterRoundId: String(first.round.id) }, resuming),
      await subscribeOn({ overlayKey: overlayKeyOf(streamer) }, 'ov-own', { ...channelOnly, afterRoundId: String(first.round.id) }, resuming),
    ];
    await sleep(300);
    const drawn = await api.services.rounds.run(raffle.id, { force: true });
    if (drawn.kind !== 'round') throw new Error(`no round: ${drawn.kind}`);
    const frameOf = async ({ ws }: { ws: RawWs }) => {
      await ws.waitFor((message) => message.type === 'next');
      return ws.texts.find((text) => text.includes('"type":"next"'))!;
    };
    const [serviceShared, overlayShared, serviceOwn, overlayOwn] = await Promise.all([...shared, ...normal].map(frameOf));
    expect(serviceShared).toBe(serviceOwn!.replace('{"id":"svc-own"', `{"id":${JSON.stringify('svc "1" \\ é')}`));
    expect(overlayShared).toBe(overlayOwn!.replace('{"id":"ov-own"', '{"id":"ov-1"'));
    expect(JSON.parse(serviceShared!)).toMatchObject({
      id: 'svc "1" \\ é',
      type: 'next',
      payload: { data: { winnerDrawn: { id: String(drawn.round.id), item: { name: 'Ünïcode "prize" ✓' } } } },
    });
    for (const { binary } of [...shared, ...normal]) expect(binary).toEqual([false]);
    for (const { ws } of [...shared, ...normal]) ws.terminate();
  });

  it('closes with 4401 on subscribe before the connection is acknowledged', async () => {
    const ws = await open();
    ws.send({ id: '1', type: 'subscribe', payload: { query: WINNER_DRAWN, variables: { streamerId: 'x' } } });
    expect((await ws.closedWithin()).code).toBe(4401);
  });

  it('closes with 4409 when a subscription id is used twice', async () => {
    const streamer = await createStreamer(api.url);
    const ws = await open();
    ws.init();
    await ws.waitFor((message) => message.type === 'connection_ack');
    const subscribeMessage = { id: 'same', type: 'subscribe', payload: { query: WINNER_DRAWN, variables: { streamerId: streamer.id } } };
    ws.send(subscribeMessage);
    ws.send(subscribeMessage);
    expect((await ws.closedWithin()).code).toBe(4409);
  });

  it('closes with 4429 on a second connection_init', async () => {
    const ws = await open();
    ws.init();
    await ws.waitFor((message) => message.type === 'connection_ack');
    ws.init();
    expect((await ws.closedWithin()).code).toBe(4429);
  });

  it.each([
    ['a wrong API token', { authorization: 'Bearer not-the-token-0123456789-0123456789' }],
    ['no credential at all', {}],
    ['an unknown overlay key', { overlayKey: 'no-such-overlay-key' }],
  ])('closes with 4403 on %s', async (_name, params) => {
    const ws = await open();
    ws.init(params);
    expect((await ws.closedWithin()).code).toBe(4403);
    expect(ws.messages.some((message) => message.type === 'connection_ack')).toBe(false);
  });

  it('closes with 4406 when the client offers no graphql-transport-ws subprotocol', async () => {
    const ws = await open({ protocol: null });
    expect((await ws.closedWithin()).code).toBe(4406);
  });

  it('answers a query syntax error with an error message and keeps the socket open', async () => {
    const ws = await open();
    ws.init();
    await ws.waitFor((message) => message.type === 'connection_ack');
    ws.send({ id: 'broken', type: 'subscribe', payload: { query: 'subscription { winnerDrawn(' } });
    const error = await ws.waitFor((message) => message.id === 'broken');
    expect(error.type).toBe('error');
    expect(JSON.stringify(error.payload)).toMatch(/Syntax Error/);
    ws.send({ type: 'ping' });
    await ws.waitFor((message) => message.type === 'pong');
  });

  it(`refuses more than ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions on one socket`, async () => {
    const streamer = await createStreamer(api.url);
    const ws = await open();
    ws.init();
    await ws.waitFor((message) => message.type === 'connection_ack');
    for (let index = 0; index <= MAX_SUBSCRIPTIONS_PER_SOCKET; index += 1) {
      ws.send({ id: `s${index}`, type: 'subscribe', payload: { query: WINNER_DRAWN, variables: { streamerId: streamer.id } } });
    }
    const refused = await ws.waitFor((message) => message.type === 'error');
    expect(refused.id).toBe(`s${MAX_SUBSCRIPTIONS_PER_SOCKET}`);
    expect(JSON.stringify(refused.payload)).toMatch(/At most 50 operations/);
    await sleep(200);
    expect(ws.messages.filter((message) => message.type === 'error')).toHaveLength(1);
  });

  it("lets an overlay key subscribe to its own streamer's wins and refuses another streamer's", async () => {
    const mine = await createStreamer(api.url);
    const other = await createStreamer(api.url);
    api.chatters.set(mine.id, generateViewers(5));
    await addItems(api.url, mine.id, [{ name: 'badge', weight: 1 }]);
    const raffle = await startRaffle(api.url, { streamerId: mine.id, intervalSeconds: 3600 });

    const ws = await open();
    ws.init({ overlayKey: overlayKeyOf(mine) });
    await ws.waitFor((message) => message.type === 'connection_ack');
    ws.send({ id: 'other', type: 'subscribe', payload: { query: WINNER_DRAWN, variables: { streamerId: other.id } } });
    const refused = await ws.waitFor((message) => message.id === 'other');
    expect(refused.type).toBe('next');
    expect(refused.payload.errors[0].extensions.code).toBe('FORBIDDEN');
    // As graphql-ws answers a single result: then `complete`.
    await ws.waitFor((message) => message.id === 'other' && message.type === 'complete');

    ws.send({ id: 'mine', type: 'subscribe', payload: { query: WINNER_DRAWN, variables: { streamerId: mine.id } } });
    await sleep(200); // in-process bus: the listener is registered once the server starts iterating
    const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    const event = await ws.waitFor((message) => message.id === 'mine' && message.type === 'next');
    expect(event.payload.data.winnerDrawn.id).toBe(drawRound.id);
  });

  it("stops a shared subscription's frames on the client's complete, keeps the feed's others, and lets the id subscribe again", async () => {
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(5));
    await addItems(api.url, streamer.id, [{ name: 'pin', weight: 1, stock: 10 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const ws = await open();
    ws.init({ overlayKey: overlayKeyOf(streamer) });
    await ws.waitFor((message) => message.type === 'connection_ack');
    const subscribe = (id: string) => ws.send({ id, type: 'subscribe', payload: { query: WINNER_DRAWN, variables: { streamerId: streamer.id } } });
    subscribe('a');
    subscribe('b');
    await sleep(200);
    const draw = async () => (await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id })).drawRound.id as string;
    const first = await draw();
    await ws.waitFor((message) => message.id === 'b' && message.type === 'next' && message.payload.data.winnerDrawn.id === first);
    ws.send({ id: 'a', type: 'complete' });
    await sleep(100);
    const second = await draw();
    await ws.waitFor((message) => message.id === 'b' && message.type === 'next' && message.payload.data.winnerDrawn.id === second);
    const framesOf = (id: string) => ws.messages.filter((message) => message.id === id).map((message) => message.type);
    // Completed by the client: nothing more, not even a `complete` back (graphql-ws sends none).
    expect(framesOf('a')).toEqual(['next']);
    subscribe('a');
    await sleep(200);
    const third = await draw();
    await ws.waitFor((message) => message.id === 'a' && message.type === 'next' && message.payload.data.winnerDrawn.id === third);
    expect(framesOf('a')).toEqual(['next', 'next']);
    expect(framesOf('b')).toEqual(['next', 'next', 'next']);
  });

  it('checks the Origin of browser upgrades against WS_ALLOWED_ORIGINS; clients without Origin pass', async () => {
    const refused = new RawWs(api.url, { origin: 'https://evil.example' });
    await expect(refused.opened).rejects.toThrow(/HTTP 403/);

    for (const options of [{ origin: 'https://overlay.example' }, {}]) {
      const ws = await open(options);
      ws.init({ authorization: `Bearer ${TEST_API_TOKEN}` });
      await ws.waitFor((message) => message.type === 'connection_ack');
    }
  });
});

describe('graphql-ws keep-alive', () => {
  const keepAliveMs = 250;
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp({ env: { WS_KEEPALIVE_MS: String(keepAliveMs) } });
  });
  afterAll(() => api?.stop());

  it('pings every WS_KEEPALIVE_MS, keeps a client that answers and drops one that does not', async () => {
    const healthy = new RawWs(api.url);
    const silent = new RawWs(api.url, { autoPong: false });
    await Promise.all([healthy.opened, silent.opened]);
    let pings = 0;
    healthy.socket.on('ping', () => (pings += 1));
    for (const ws of [healthy, silent]) {
      ws.init();
      await ws.waitFor((message) => message.type === 'connection_ack');
    }
    const dropped = await silent.closedWithin(15_000);
    expect(dropped.code).toBe(1006); // terminated without a close frame
    const minimumPings = 4;
    const deadline = Date.now() + 20_000;
    while (pings < minimumPings && Date.now() < deadline) await sleep(50);
    expect(pings).toBeGreaterThanOrEqual(minimumPings);
    expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
    healthy.terminate();
  });
});

import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute, request, subscribe } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

function overlayKeyOf(overlayUrl: string): string {
  return new URL(overlayUrl).searchParams.get('key')!;
}

describe('who may call what', () => {
  let api: TestApp;
  let streamer: { id: string; guildId: string; overlayUrl: string };
  let other: { id: string; guildId: string; overlayUrl: string };
  beforeAll(async () => {
    api = await startTestApp();
    streamer = await createStreamer(api.url);
    other = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(3));
    await addItems(api.url, streamer.id, [{ name: 'a', weight: 1, stock: 10 }]);
  });
  afterAll(() => api?.stop());

  it('anonymous callers get an authentication error and change nothing', async () => {
    const before = await api.services.db.item.count();
    for (const [operation, variables] of [
      ['StreamerByGuild', { guildId: streamer.guildId }],
      ['AddItems', { streamerId: streamer.id, items: [{ name: 'sneaky', weight: 1 }] }],
      ['StartRaffle', { input: { streamerId: streamer.id, intervalSeconds: 5 } }],
    ] as const) {
      const response = await request(api.url, contractOperation(operation), variables, { token: null });
      expect(response.errors?.[0]?.extensions?.code, operation).toBe('UNAUTHENTICATED');
      expect(response.errors?.[0]?.message).toMatch(/Authentication required/);
    }
    const wrong = await request(api.url, contractOperation('StreamerByGuild'), { guildId: streamer.guildId }, { token: 'x'.repeat(40) });
    expect(wrong.errors?.[0]?.message).toMatch(/Invalid credentials/);
    expect(await api.services.db.item.count()).toBe(before);
    expect(await api.services.db.raffle.count()).toBe(0);
  });

  it('an overlay key reads its own streamer, but mutates nothing and sees no other streamer', async () => {
    const key = overlayKeyOf(streamer.overlayUrl);
    const own = await execute(api.url, `query($id: ID!) { streamer(id: $id) { id overlayUrl items { name } } }`, { id: streamer.id }, { token: null, overlayKey: key });
    expect(own.streamer).toMatchObject({ id: streamer.id, overlayUrl: streamer.overlayUrl });
    const foreign = await request(api.url, `query($id: ID!) { streamer(id: $id) { id } }`, { id: other.id }, { token: null, overlayKey: key });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const mutation = await request(api.url, contractOperation('AddItems'), { streamerId: streamer.id, items: [{ name: 'x', weight: 1 }] }, { token: null, overlayKey: key });
    expect(mutation.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byGuild = await request(api.url, contractOperation('StreamerByGuild'), { guildId: streamer.guildId }, { token: null, overlayKey: key });
    expect(byGuild.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('an overlay key subscribes to its own streamer over graphql-ws, not to another', async () => {
    const key = overlayKeyOf(streamer.overlayUrl);
    const subscription = await subscribe(api.url, contractOperation('WinnerDrawn'), { streamerId: streamer.id }, { overlayKey: key });
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    const event = await subscription.next();
    expect(event.winnerDrawn).toMatchObject({ id: drawRound.id, number: 1, outcome: 'WINNER' });
    await subscription.return();

    const refused = await subscribe(api.url, contractOperation('WinnerDrawn'), { streamerId: other.id }, { overlayKey: key });
    await expect(refused.next(3_000)).rejects.toThrow(/Not allowed/);
    await refused.return();
    await execute(api.url, contractOperation('StopRaffle'), { raffleId: raffle.id });
  });

  it('rotating the overlay key makes the old one stop working', async () => {
    const oldKey = overlayKeyOf(streamer.overlayUrl);
    const { rotateOverlayKey } = await execute(api.url, contractOperation('RotateOverlayKey'), { streamerId: streamer.id });
    const newKey = overlayKeyOf(rotateOverlayKey.overlayUrl);
    expect(newKey).not.toBe(oldKey);
    const old = await request(api.url, `query($id: ID!) { streamer(id: $id) { id } }`, { id: streamer.id }, { token: null, overlayKey: oldKey });
    expect(old.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const fresh = await execute(api.url, `query($id: ID!) { streamer(id: $id) { id } }`, { id: streamer.id }, { token: null, overlayKey: newKey });
    expect(fresh.streamer.id).toBe(streamer.id);
    streamer = { ...streamer, overlayUrl: rotateOverlayKey.overlayUrl };
  });

  it('a WebSocket without valid credentials is closed with 4403', async () => {
    for (const payload of [{}, { authorization: 'Bearer wrong-token-wrong-token-wrong-token' }, { overlayKey: 'nope' }]) {
      const code = await new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${api.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
        socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
        socket.on('close', (closeCode) => resolve(closeCode));
        socket.on('error', reject);
      });
      expect(code).toBe(4403);
    }
  });

  it('health and readiness answer without credentials', async () => {
    expect(await (await fetch(`${api.url}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${api.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', database: 'ok', pubsub: 'ok' });
  });

  it('GraphiQL is served to browsers on /graphql', async () => {
    const page = await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/graphiql/i);
  });
});

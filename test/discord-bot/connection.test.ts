import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { AnnouncementConnection } from '../../clients/discord-bot/announcer/connection';
import { eventually } from './support/harness';

/**
 * The announcement connection against a scripted graphql-transport-ws server: a close that
 * graphql-ws will not retry (4500) makes the connection start over with a new client, and the
 * subscriptions made before move to it and keep delivering.
 */
interface Script {
  /** Connection n (0-based) gets this on its first `subscribe`. */
  onSubscribe(connection: number, socket: WebSocket, id: string): void;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function scriptedServer(script: Script) {
  const server = createServer();
  const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false) });
  const subscribes: Array<{ connection: number; payload: unknown }> = [];
  let connections = 0;
  wss.on('connection', (socket) => {
    const connection = connections++;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: unknown };
      if (message.type === 'connection_init') socket.send(JSON.stringify({ type: 'connection_ack' }));
      if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      if (message.type === 'subscribe') {
        subscribes.push({ connection, payload: message.payload });
        script.onSubscribe(connection, socket, message.id!);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    for (const socket of wss.clients) socket.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, subscribes, connections: () => connections };
}

describe('announcement connection', () => {
  it('starts over after a close graphql-ws will not retry, and moves the subscriptions to the new client', async () => {
    const server = await scriptedServer({
      onSubscribe(connection, socket, id) {
        if (connection === 0) socket.close(4500, 'internal error');
        else socket.send(JSON.stringify({ type: 'next', id, payload: { data: { winnerDrawn: { id: '7' } } } }));
      },
    });
    const connects: boolean[] = [];
    const connection = new AnnouncementConnection({
      url: server.url,
      token: 't'.repeat(32),
      logger: pino({ level: 'silent' }),
      reconnect: { minDelayMs: 20, maxDelayMs: 100 },
      onConnected: ({ reconnected }) => connects.push(reconnected),
    });
    closers.push(() => connection.stop());
    const received: unknown[] = [];
    const ended: string[] = [];
    // Subscribed before start(): sent once the first client exists.
    connection.subscribe({ query: 'subscription { winnerDrawn(streamerId: "s1") { id } }' }, {
      next: (result) => received.push(result.data),
      error: () => ended.push('error'),
      complete: () => ended.push('complete'),
    });
    connection.start();
    await eventually(() => received.length > 0, 10_000, 'an event on the second connection');
    expect(received[0]).toEqual({ winnerDrawn: { id: '7' } });
    expect(server.subscribes.map((s) => s.connection)).toEqual([0, 1]);
    expect(server.subscribes[1]!.payload).toEqual(server.subscribes[0]!.payload);
    expect(connects).toEqual([false, true]);
    expect(ended).toEqual([]);
    expect(connection.state).toBe('open');
    await connection.stop();
    expect(connection.state).toBe('stopped');
  });

  it('ends a subscription the server completes, and an unsubscribed one is not sent again', async () => {
    const server = await scriptedServer({
      onSubscribe(_connection, socket, id) {
        socket.send(JSON.stringify({ type: 'complete', id }));
      },
    });
    const connection = new AnnouncementConnection({ url: server.url, token: 't'.repeat(32), logger: pino({ level: 'silent' }) });
    closers.push(() => connection.stop());
    const ended: string[] = [];
    connection.start();
    connection.subscribe({ query: 'subscription { a }' }, { next: () => {}, error: () => ended.push('error'), complete: () => ended.push('complete') });
    await eventually(() => ended.length > 0, 10_000, 'the completion');
    expect(ended).toEqual(['complete']);
    const unsubscribe = connection.subscribe({ query: 'subscription { b }' }, { next: () => {}, error: () => {}, complete: () => ended.push('b complete') });
    unsubscribe();
    expect(ended).toEqual(['complete']);
  });
});

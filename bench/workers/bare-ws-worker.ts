/**
 * The fan-out floor: a bare `ws` server that answers the graphql-transport-ws handshake and, on a
 * trigger, sends the same pre-encoded JSON bytes to every subscribed socket. Two of these joined by
 * Redis pub/sub mirror the two API instances (the trigger crosses Redis exactly like a round's
 * notification does); without Redis one process holds every socket.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { WebSocketServer, type WebSocket } from 'ws';
import { nowMs, serveRpc, settledMemory } from '../lib/rpc';

const CHANNEL = 'kinoyu-bench:floor';
const ready = new Set<WebSocket>();
let publisher: Redis | undefined;
let subscriber: Redis | undefined;

const http = createServer((_request, response) => response.writeHead(404).end());
const wss = new WebSocketServer({ server: http, path: '/graphql' });
wss.on('connection', (socket) => {
  socket.on('error', () => {});
  socket.on('message', (data: Buffer) => {
    const message = JSON.parse(data.toString()) as { type: string };
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'subscribe') ready.add(socket);
  });
  socket.on('close', () => ready.delete(socket));
});

function broadcast(bytes: Buffer): void {
  for (const socket of ready) socket.send(bytes);
}

serveRpc({
  async start({ redisUrl, channel = CHANNEL }: { redisUrl?: string; channel?: string }) {
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    if (redisUrl) {
      publisher = new Redis(redisUrl, { connectionName: 'kinoyu-bench-floor-pub' });
      subscriber = new Redis(redisUrl, { connectionName: 'kinoyu-bench-floor-sub' });
      subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => broadcast(message));
      await subscriber.subscribe(channel);
    }
    return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql` };
  },
  /** Sends `text` to every socket of every floor server; returns the trigger's time stamp. */
  async broadcast({ text, channel = CHANNEL }: { text: string; channel?: string }) {
    const bytes = Buffer.from(text);
    const at = nowMs();
    if (publisher) await publisher.publish(channel, bytes);
    else broadcast(bytes);
    return at;
  },
  memory: () => ({ ...settledMemory(), sockets: ready.size }),
  async exit() {
    for (const socket of wss.clients) socket.terminate();
    publisher?.disconnect();
    subscriber?.disconnect();
    http.close();
    setTimeout(() => process.exit(0), 20);
  },
});

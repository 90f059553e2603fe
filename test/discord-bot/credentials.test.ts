import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { AnnouncementConnection } from '../../clients/discord-bot/announcer/connection';
import { createApiClient } from '../../clients/discord-bot/graphql/api-client';
import { StreamerByGuild } from '../../clients/discord-bot/graphql/streamers';

/**
 * The server accepts the service token only as `Bearer <token>` (the contract: HTTP
 * `Authorization` header, graphql-ws `connectionParams.authorization`). These stubs record what
 * the bot actually sends on both transports.
 */
const TOKEN = 'bot-credentials-test-token-0123456789abcdef';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the bot authenticates as the service principal with a Bearer token', () => {
  it('over HTTP: Authorization: Bearer <API_TOKEN>', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { streamerByGuild: null } }));
      });
    });
    const host = await listen(server);
    const api = createApiClient({ url: `http://${host}/graphql`, token: TOKEN });
    await expect(api.request(StreamerByGuild, { guildId: '123456789012345678' })).resolves.toEqual({ streamerByGuild: null });
    await api.withTimeout(1_000).request(StreamerByGuild, { guildId: '123456789012345678' });
    expect(seen.map((headers) => headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
  });

  it('over graphql-ws: connectionParams.authorization = Bearer <API_TOKEN>', async () => {
    const server = createServer();
    const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false) });
    closers.push(async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    });
    const inits: unknown[] = [];
    wss.on('connection', (socket) => {
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
        if (message.type !== 'connection_init') return;
        inits.push(message.payload);
        socket.send(JSON.stringify({ type: 'connection_ack' }));
      });
    });
    const host = await listen(server);
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const connection = new AnnouncementConnection({
      url: `ws://${host}/graphql`,
      token: TOKEN,
      logger: pino({ level: 'silent' }),
      onConnected: () => connected(),
    });
    closers.push(() => connection.stop());
    connection.start();
    await ready;
    expect(connection.state).toBe('open');
    expect(inits).toEqual([{ authorization: `Bearer ${TOKEN}` }]);
  });
});

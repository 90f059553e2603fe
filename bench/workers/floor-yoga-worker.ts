/**
 * The API floor: a bare graphql-yoga server (no database, no auth, no Pothos) whose schema has
 * just the types StreamerByGuild selects, answering each guild from memory with the very data the
 * real API returned for it. What is left is the framework: HTTP, yoga, parse/validate caches,
 * execution of the same selection, JSON.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { serveRpc } from '../lib/rpc';
import { streamerFloorTypeDefs as typeDefs } from '../lib/streamer-floor-schema';

const streamers = new Map<string, unknown>();
const yoga = createYoga({
  schema: createSchema({
    typeDefs,
    resolvers: { Query: { streamerByGuild: (_root: unknown, args: { guildId: string }) => streamers.get(args.guildId) ?? null } },
  }),
  landingPage: false,
  graphiql: false,
  logging: false,
  maxRequestBodySize: false, // as the API, which leaves the body limit to Fastify
});
const server = createServer(yoga);

serveRpc({
  async start({ data }: { data: Record<string, unknown> }) {
    for (const [guildId, streamer] of Object.entries(data)) streamers.set(guildId, streamer);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  },
  async exit() {
    server.closeAllConnections();
    server.close();
    setTimeout(() => process.exit(0), 20);
  },
});

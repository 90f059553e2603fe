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

const typeDefs = /* GraphQL */ `
  type Query {
    streamerByGuild(guildId: String!): Streamer
  }
  type Streamer {
    id: ID!
    twitchUserId: String
    login: String
    displayName: String
    guildId: String!
    announceChannelId: String
    linked: Boolean!
    overlayUrl: String!
    items: [Item!]!
    activeRaffle: Raffle
  }
  type Item {
    id: ID!
    name: String!
    weight: Int!
    stock: Int!
    remaining: Int!
  }
  enum RaffleStatus {
    RUNNING
    STOPPED
    FINISHED
  }
  enum RaffleEndReason {
    ITEMS_EXHAUSTED
    STOPPED
    TWITCH_UNLINKED
  }
  type Raffle {
    id: ID!
    status: RaffleStatus!
    intervalSeconds: Int!
    drawChance: Float!
    startedAt: String!
    endedAt: String
    endReason: RaffleEndReason
  }
`;

const streamers = new Map<string, unknown>();
const yoga = createYoga({
  schema: createSchema({
    typeDefs,
    resolvers: { Query: { streamerByGuild: (_root: unknown, args: { guildId: string }) => streamers.get(args.guildId) ?? null } },
  }),
  landingPage: false,
  graphiql: false,
  logging: false,
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

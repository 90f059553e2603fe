/**
 * The API floor with a database: a bare graphql-yoga server (no auth, no Pothos, no Prisma) that
 * answers StreamerByGuild by sending the very SQL the API sent for it (recorded at the pg driver in
 * the API process, same text, same parameters but the ids) through a raw `pg` pool of the API's
 * size, and maps the rows itself. What is left between it and the API: Prisma, Pothos (auth
 * scopes, complexity, selections), the app's plugins and Fastify. The overlay URL (an AES-GCM
 * decryption in the API) is taken as the API answered it.
 *
 * The API loads the streamer with its relations in one statement (Prisma's relationJoins: LATERAL
 * subqueries that return the credential, items and raffles as JSON), so the floor sends that one
 * statement too and reads the relations from its JSON columns. Should the API go back to one
 * statement per relation (Prisma's `query` strategy), the floor replays those four instead: it
 * always does what the API does, never less.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import pg from 'pg';
import { serveRpc } from '../lib/rpc';
import { streamerFloorTypeDefs } from '../lib/streamer-floor-schema';

export interface RecordedStatement {
  text: string;
  values: unknown[];
  /** The prepared statement's name, when the API named it (prepared once per connection). */
  name?: string;
}

type Row = Record<string, any>;
type Ids = { guildId: string; streamerId: string };
type Statement = (ids: Ids) => RecordedStatement;
type Part = 'joined' | 'streamer' | 'credential' | 'items' | 'raffle';

let pool: pg.Pool | undefined;
const statements = new Map<Part, Statement>();
const overlayUrls = new Map<string, string>();

/** A recorded statement as a template: its recorded guild and streamer ids become the request's. */
function template(recorded: RecordedStatement, recordedIds: Ids): Statement {
  return (ids) => ({
    ...(recorded.name ? { name: recorded.name } : {}),
    text: recorded.text,
    values: recorded.values.map((value) =>
      value === recordedIds.guildId ? ids.guildId : value === recordedIds.streamerId ? ids.streamerId : value,
    ),
  });
}

async function run(name: Part, ids: Ids): Promise<Row[]> {
  const statement = statements.get(name);
  if (!statement) throw new Error(`no recorded statement for ${name}`);
  return (await pool!.query(statement(ids))).rows as Row[];
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

/** One statement: camelCase columns, the relations as JSON (timestamps as JSON strings). */
const joinedResolvers = {
  Query: {
    streamerByGuild: async (_root: unknown, args: { guildId: string }) => (await run('joined', { guildId: args.guildId, streamerId: '' }))[0] ?? null,
  },
  Streamer: {
    linked: (row: Row) => row.credential !== null,
    overlayUrl: (row: Row) => overlayUrls.get(row.id),
    activeRaffle: (row: Row) => row.raffles[0] ?? null,
  },
  Raffle: {
    startedAt: (row: Row) => iso(row.startedAt),
    endedAt: (row: Row) => iso(row.endedAt),
  },
};

/** One statement per table: snake_case columns. */
const perTableResolvers = {
  Query: {
    streamerByGuild: async (_root: unknown, args: { guildId: string }) => (await run('streamer', { guildId: args.guildId, streamerId: '' }))[0] ?? null,
  },
  Streamer: {
    twitchUserId: (row: Row) => row.twitch_user_id,
    displayName: (row: Row) => row.display_name,
    guildId: (row: Row) => row.guild_id,
    announceChannelId: (row: Row) => row.announce_channel_id,
    linked: async (row: Row) => (await run('credential', { guildId: row.guild_id, streamerId: row.id })).length > 0,
    overlayUrl: (row: Row) => overlayUrls.get(row.id),
    items: async (row: Row) => run('items', { guildId: row.guild_id, streamerId: row.id }),
    activeRaffle: async (row: Row) => (await run('raffle', { guildId: row.guild_id, streamerId: row.id }))[0] ?? null,
  },
  Raffle: {
    intervalSeconds: (row: Row) => row.interval_seconds,
    drawChance: (row: Row) => row.draw_chance,
    startedAt: (row: Row) => iso(row.started_at),
    endedAt: (row: Row) => iso(row.ended_at),
    endReason: (row: Row) => row.end_reason,
  },
};

/** Which part of StreamerByGuild a recorded statement is. */
function partOf(recorded: RecordedStatement, count: number): Part {
  if (count === 1 && /LEFT JOIN LATERAL/.test(recorded.text)) return 'joined';
  const table = /FROM "public"\."(\w+)"/.exec(recorded.text)?.[1];
  const part = ({ streamers: 'streamer', twitch_credentials: 'credential', items: 'items', raffles: 'raffle' } as const)[table ?? ''];
  if (!part || count !== 4) throw new Error(`unexpected statement in StreamerByGuild (${count} in all): ${recorded.text.slice(0, 120)}`);
  return part;
}

let server: ReturnType<typeof createServer> | undefined;

serveRpc({
  /**
   * `recorded`: what the API sent for one StreamerByGuild of `recordedIds`' streamer, in order.
   * `overlayUrls`: streamer id → the overlay URL the API answered.
   */
  async start(options: {
    databaseUrl: string;
    poolSize: number;
    recorded: RecordedStatement[];
    recordedIds: Ids;
    overlayUrls: Record<string, string>;
  }) {
    pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
    for (const recorded of options.recorded) statements.set(partOf(recorded, options.recorded.length), template(recorded, options.recordedIds));
    for (const [id, url] of Object.entries(options.overlayUrls)) overlayUrls.set(id, url);
    const yoga = createYoga({
      schema: createSchema({ typeDefs: streamerFloorTypeDefs, resolvers: statements.has('joined') ? joinedResolvers : perTableResolvers }),
      landingPage: false,
      graphiql: false,
      logging: false,
      // The API leaves the body limit to Fastify; a floor does not pay for a check it has no use for.
      maxRequestBodySize: false,
    });
    server = createServer(yoga);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, statements: statements.size };
  },
  async exit() {
    server?.closeAllConnections();
    server?.close();
    await pool?.end();
    setTimeout(() => process.exit(0), 20);
  },
});

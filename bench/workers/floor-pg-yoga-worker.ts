/**
 * The API floor with a database: a bare graphql-yoga server (no auth, no Pothos, no Prisma) that
 * answers StreamerByGuild by sending the very SQL the API sent for it (recorded at the pg driver in
 * the API process, same text, same parameters but the ids) through a raw `pg` pool of the API's
 * size, and maps the rows itself. What is left between it and the API: Prisma, Pothos (auth
 * scopes, complexity, selections), the app's plugins and Fastify. The overlay URL (an AES-GCM
 * decryption in the API) is taken as the API answered it.
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
}

type Row = Record<string, any>;
type Statement = (ids: { guildId: string; streamerId: string }) => { text: string; values: unknown[] };

let pool: pg.Pool | undefined;
const statements = new Map<'streamer' | 'credential' | 'items' | 'raffle', Statement>();
const overlayUrls = new Map<string, string>();

/** A recorded statement as a template: its recorded guild and streamer ids become the request's. */
function template(recorded: RecordedStatement, recordedIds: { guildId: string; streamerId: string }): Statement {
  return (ids) => ({
    text: recorded.text,
    values: recorded.values.map((value) =>
      value === recordedIds.guildId ? ids.guildId : value === recordedIds.streamerId ? ids.streamerId : value,
    ),
  });
}

async function run(name: 'streamer' | 'credential' | 'items' | 'raffle', ids: { guildId: string; streamerId: string }): Promise<Row[]> {
  const statement = statements.get(name);
  if (!statement) throw new Error(`no recorded statement for ${name}`);
  return (await pool!.query(statement(ids))).rows as Row[];
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

const yoga = createYoga({
  schema: createSchema({
    typeDefs: streamerFloorTypeDefs,
    resolvers: {
      Query: {
        streamerByGuild: async (_root: unknown, args: { guildId: string }) => {
          const [row] = await run('streamer', { guildId: args.guildId, streamerId: '' });
          return row ?? null;
        },
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
    },
  }),
  landingPage: false,
  graphiql: false,
  logging: false,
});
const server = createServer(yoga);

serveRpc({
  /**
   * `recorded`: what the API sent for one StreamerByGuild of `recordedIds`' streamer, in order.
   * `overlayUrls`: streamer id → the overlay URL the API answered.
   */
  async start(options: {
    databaseUrl: string;
    poolSize: number;
    recorded: RecordedStatement[];
    recordedIds: { guildId: string; streamerId: string };
    overlayUrls: Record<string, string>;
  }) {
    pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize });
    for (const recorded of options.recorded) {
      const table = /FROM "public"\."(\w+)"/.exec(recorded.text)?.[1];
      const name = ({ streamers: 'streamer', twitch_credentials: 'credential', items: 'items', raffles: 'raffle' } as const)[table ?? ''];
      if (!name) throw new Error(`unexpected statement in StreamerByGuild: ${recorded.text.slice(0, 120)}`);
      statements.set(name, template(recorded, options.recordedIds));
    }
    for (const [id, url] of Object.entries(options.overlayUrls)) overlayUrls.set(id, url);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, statements: statements.size };
  },
  async exit() {
    server.closeAllConnections();
    server.close();
    await pool?.end();
    setTimeout(() => process.exit(0), 20);
  },
});

/**
 * One KinoYu API instance for the benchmarks, in its own process (as in production): the real
 * createApp (bench/lib/bench-app.ts), on the bench's scratch database and Redis. The
 * orchestrator drives it over IPC: set up a streamer, draw rounds through the app's own
 * RoundRunner, read settled memory, count SQL statements.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import type { TopicName } from '../../src/pubsub/topics';
import { addItems, createStreamer, startRaffle } from '../../test/support/factories';
import { startBenchApp, type BenchApp } from '../lib/bench-app';
import { nowMs, serveRpc, settledMemory } from '../lib/rpc';
import type { RecordedStatement } from './floor-pg-yoga-worker';

let app: BenchApp | undefined;
/** round id → time stamp taken when the round runner publishes, i.e. right after its commit. */
const committedAt = new Map<number, number>();
let statements = 0;
/** While set: the text and values of every statement sent through pg (see `recordStatements`). */
let recording: RecordedStatement[] | undefined;

function requireApp(): BenchApp {
  if (!app) throw new Error('start first');
  return app;
}

serveRpc({
  async start({
    databaseUrl,
    redisUrl,
    countStatements,
    schedulerPollMs = 1_000,
    encryptionKey,
  }: {
    databaseUrl?: string;
    redisUrl?: string;
    countStatements?: boolean;
    schedulerPollMs?: number;
    /** Shared by every instance on one database (see BenchAppOptions.encryptionKey). */
    encryptionKey?: string;
  }) {
    if (countStatements) {
      // Every statement the app sends goes through pg.Client#query (Prisma's pg adapter and the
      // pool alike), so this counts what PostgreSQL receives, BEGIN/COMMIT included.
      const original = pg.Client.prototype.query as (...args: unknown[]) => unknown;
      pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
        statements += 1;
        if (recording) recording.push(statementOf(args));
        return original.apply(this, args);
      } as typeof pg.Client.prototype.query;
      // The embedded database: Prisma's PGlite adapter sends each statement through query().
      const embedded = PGlite.prototype.query as (...args: unknown[]) => unknown;
      PGlite.prototype.query = function (this: PGlite, ...args: unknown[]) {
        statements += 1;
        return embedded.apply(this, args);
      } as typeof PGlite.prototype.query;
    }
    app = await startBenchApp({ databaseUrl, redisUrl, schedulerPollMs, encryptionKey });
    // RaffleEvents calls bus.publish right after the round's transaction committed: stamp it there.
    const bus = app.services.events;
    const publish = bus.publish.bind(bus) as (topic: TopicName, key: string, payload: unknown) => void;
    bus.publish = ((topic: TopicName, key: string, payload: { roundId?: number }) => {
      if (topic === 'winnerDrawn' && typeof payload.roundId === 'number') committedAt.set(payload.roundId, nowMs());
      publish(topic, key, payload);
    }) as typeof bus.publish;
    return { url: app.url, database: databaseUrl ? 'postgres' : 'pglite', pubsub: bus.kind };
  },

  /** A streamer with a running raffle (long interval: only forced rounds), prizes and chatters. */
  async setupStreamer({ items, stock, chatters }: { items: number; stock: number; chatters: number }) {
    const { url, chatters: source } = requireApp();
    const streamer = await createStreamer(url);
    source.set(streamer.id, generateViewers(chatters));
    for (let offset = 0; offset < items; offset += 100) {
      const batch = Array.from({ length: Math.min(100, items - offset) }, (_, index) => ({
        name: `prize ${offset + index + 1}`,
        weight: 1 + ((offset + index) % 7),
        stock,
      }));
      await addItems(url, streamer.id, batch);
    }
    const raffle = await startRaffle(url, { streamerId: streamer.id, intervalSeconds: 86_400 });
    const overlayKey = new URL(streamer.overlayUrl).searchParams.get('key')!;
    return { streamerId: streamer.id, guildId: streamer.guildId, overlayKey, raffleId: raffle.id };
  },

  /** Adds prizes to an existing streamer (API bench: 5 vs 200 items). */
  async addItems({ streamerId, count, from }: { streamerId: string; count: number; from: number }) {
    const { url } = requireApp();
    for (let offset = 0; offset < count; offset += 100) {
      const batch = Array.from({ length: Math.min(100, count - offset) }, (_, index) => ({
        name: `extra ${from + offset + index}`,
        weight: 1,
        stock: 1,
      }));
      await addItems(url, streamerId, batch);
    }
  },

  /** One forced round through the app's RoundRunner; returns its id and the commit stamp. */
  async draw({ raffleId }: { raffleId: string }) {
    const result = await requireApp().services.rounds.run(raffleId, { force: true });
    if (result.kind !== 'round') throw new Error(`round not drawn: ${result.kind} ${result.kind === 'failed' ? String(result.error) : ''}`);
    if (result.round.outcome !== 'WINNER') throw new Error(`round ${result.round.id} had no winner (${result.round.outcome})`);
    const at = committedAt.get(result.round.id);
    committedAt.delete(result.round.id);
    if (at === undefined) throw new Error(`round ${result.round.id} was not published`);
    return { roundId: String(result.round.id), committedAt: at };
  },

  /** Starts recording statements (pg only), or stops and returns what was recorded. */
  recordStatements({ on }: { on: boolean }) {
    if (on) {
      recording = [];
      return [];
    }
    const recorded = recording ?? [];
    recording = undefined;
    return recorded;
  },

  memory: () => settledMemory(),
  statements: () => statements,

  async exit() {
    await app?.stop();
    setTimeout(() => process.exit(0), 20);
  },
});

function statementOf(args: unknown[]): RecordedStatement {
  const [first, second] = args;
  if (typeof first === 'string') return { text: first, values: Array.isArray(second) ? second : [] };
  const config = first as { text?: string; values?: unknown[]; name?: string };
  return {
    text: config.text ?? String(first),
    values: config.values ?? (Array.isArray(second) ? second : []),
    ...(config.name ? { name: config.name } : {}),
  };
}

/**
 * The prize draw and whole rounds.
 *
 * 1. `drawPrize` (make_raffle through Prisma, as the round runner calls it) at several item counts,
 *    against the floor: the bare cumulative-sum SQL on the same table through a plain pg client
 *    (one connection, no Prisma, no plpgsql function). Calls alternate between the two.
 * 2. Whole rounds per second on one instance: RoundRunner.run(force) on sealed raffles (2,000
 *    chatters, 20 items; claim and read, entrants, entrant snapshot, commit, COMMITTED, the
 *    sealed randomness, derivation, round write, ROUND publishes), 1 raffle and 8 at once,
 *    against the floor `bareRound`: the same work done by hand through a plain pg pool.
 *
 *    The floor does what the app does since provable rounds (FAIRNESS.md v1), with plain
 *    straightforward statements, one at a time (15 a round):
 *      - claim (UPDATE … RETURNING), the raffle joined with its streamer, the items with copies
 *        left, the raffle's earlier winners (4 statements);
 *      - eligibleChatters, canonicalEntrants, canonicalItems, itemsHash, commitHash (src/fairness),
 *        the entrants list's SHA-256 through node:crypto as the app's RoundEntrants does;
 *      - the entrant snapshot: encodeEntrants (the app's gzip of the same JSON) and INSERT … ON
 *        CONFLICT DO NOTHING; the commit: one plain INSERT INTO round_commits (2 statements);
 *        the COMMITTED publish;
 *      - the sealed seed opened from server_seed_enc (ServerSeedVault), R = sealedRoundRandomness,
 *        roundSeed and deriveRound (src/fairness);
 *      - the round transaction as before: BEGIN, the raffle locked, make_raffle(streamer, t),
 *        the stock decrement, the round row (with commit hash and targets), the outbox row, the
 *        stock left, the raffle update, COMMIT (9 statements); the winnerDrawn and ROUND publishes.
 *    It skips what only correctness under failure needs (no look-up of a commit left by a dead
 *    attempt, no lease checks in the commit or the round write, no schedule rule), so it stays a
 *    floor.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { eligibleChatters } from '../src/chatters/eligibility';
import { canonicalEntrants, canonicalItems, chancePpm, commitHash, entrantsList, itemsHash, sourceString } from '../src/fairness/canonical';
import { deriveRound, roundSeed } from '../src/fairness/derivation';
import { sealedRoundRandomness } from '../src/fairness/sealed';
import { generateViewers, InMemoryChatterSource } from '../src/chatters/in-memory-chatter-source';
import { openDatabase, type Database } from '../src/db/database';
import { statementNames } from '../src/db/statement-names';
import { DEFAULT_PREPARED_STATEMENTS } from '../src/config/config';
import { migrate, type SqlRunner } from '../src/db/migrate';
import { createEventBus, type EventBus } from '../src/pubsub/event-bus';
import { drawPrize } from '../src/raffles/prize-draw';
import { RaffleEvents } from '../src/raffles/raffle-events';
import { cryptoRandom } from '../src/raffles/random-source';
import { DrandBeacons } from '../src/raffles/drand-beacons';
import { RoundRunner } from '../src/raffles/round-runner';
import { ServerSeedVault } from '../src/raffles/server-seed-vault';
import { encodeEntrants, EntrantSnapshots } from '../src/proofs/entrant-snapshots';
import type { BenchContext } from './lib/context';
import { round, sleep, summarize, type Summary } from './lib/stats';

/** The outbox channel rounds write for a linked streamer (Twitch chat); any name works for the bench. */
const OUTBOX_CHANNEL = 'TWITCH_CHAT';

export interface DrawOptions {
  sizes: number[];
  /** Measured calls per side for a given item count. */
  iterations(items: number): number;
  /** Seconds per side for the rounds-per-second measurement. */
  roundSeconds: number;
  /** Raffles run at once in the parallel rounds measurement (0: skip). */
  parallelRaffles: number;
}

export interface DrawSizeResult {
  items: number;
  calls: number;
  prisma: Summary;
  floor: Summary;
  ratioMedian: number;
}

export interface RoundsResult {
  raffles: number;
  /** SQL statements sent per round (BEGIN/COMMIT included), counted at the pg driver. */
  statementsPerRound: { app: number; floor: number } | undefined;
  app: { rounds: number; perSecond: number };
  floor: { rounds: number; perSecond: number };
  /** Floor rounds/s over app rounds/s: how many times slower the app is. */
  ratio: number;
}

export interface DrawResult {
  database: 'postgres' | 'pglite';
  /** `SELECT 1` through Prisma's $queryRaw vs the plain client: the fixed cost of one statement. */
  statement: { prisma: Summary; floor: Summary };
  draws: DrawSizeResult[];
  rounds: RoundsResult[];
  problems: string[];
}

/**
 * The floor: make_raffle's cumulative sum as one plain statement (same filter, same "C" order, same
 * rule: the first item whose running sum exceeds the target t). Each subquery is referenced
 * once, so PostgreSQL inlines both instead of materializing the item list.
 */
const BARE_DRAW_SQL = `
  SELECT c."id" AS item_id, c."weight" AS item_weight, t.total AS total_weight
  FROM (
    SELECT COALESCE(SUM(i."weight"), 0)::bigint AS total FROM "items" i
    WHERE i."streamer_id" = $1 AND i."remaining" > 0 AND i."removed_at" IS NULL
  ) t,
  LATERAL (
    SELECT i."id", i."weight",
           SUM(i."weight") OVER (ORDER BY i."id" COLLATE "C" ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cumulative
    FROM "items" i
    WHERE i."streamer_id" = $1 AND i."remaining" > 0 AND i."removed_at" IS NULL
  ) c
  WHERE c.cumulative > $2::bigint
  ORDER BY c.cumulative
  LIMIT 1`;

export async function runDraw(context: BenchContext, options: DrawOptions): Promise<DrawResult> {
  const databaseUrl = await context.scratchDatabase();
  const dataDir = databaseUrl ? undefined : await mkdtemp(path.join(tmpdir(), 'kinoyu-bench-'));
  const logger = pino({ level: 'silent' });
  const database = await openDatabase({ database: { url: databaseUrl, dataDir: dataDir ?? '' } });
  const runner = await database.openSqlRunner();
  const bus = createEventBus(context.redisUrl, logger);
  const problems: string[] = [];
  let floorSession: { query: Query; close(): Promise<void> } | undefined;
  if (database.kind === 'pglite') {
    context.notes.push('draw: without a PostgreSQL server the floor runs the bare SQL on the same embedded PGlite session (there is no pg client to use).');
  }
  try {
    await migrate(runner, logger);
    floorSession = await openFloorSession(databaseUrl, runner);
    const statement = await measureStatement(database, floorSession.query, options.iterations(0));
    context.log(`SELECT 1: ${round(statement.prisma.p50, 3)} ms through Prisma vs ${round(statement.floor.p50, 3)} ms plain`);
    const draws: DrawSizeResult[] = [];
    for (const items of options.sizes) {
      context.log(`draw: ${items} items`);
      draws.push(await measureDraw(database, runner, floorSession.query, items, options.iterations(items), problems));
      const last = draws.at(-1)!;
      context.log(`draw ${items}: ${round(last.prisma.p50, 3)} ms vs floor ${round(last.floor.p50, 3)} ms (×${round(last.ratioMedian)})`);
    }
    const rounds: RoundsResult[] = [];
    const parallel = databaseUrl && options.parallelRaffles > 1 ? [1, options.parallelRaffles] : [1];
    for (const raffles of parallel) {
      context.log(`rounds: ${raffles} raffle(s) at once`);
      rounds.push(await measureRounds(database, runner, databaseUrl, bus, raffles, options.roundSeconds, problems));
      const last = rounds.at(-1)!;
      context.log(`rounds ×${raffles}: ${round(last.app.perSecond, 1)}/s vs floor ${round(last.floor.perSecond, 1)}/s`);
    }
    return { database: database.kind, statement, draws, rounds, problems };
  } finally {
    await floorSession?.close();
    await bus.close();
    await runner.close();
    await database.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

async function seedStreamer(runner: SqlRunner, items: number, stock: number): Promise<string> {
  const id = randomUUID();
  await runner.query(`INSERT INTO "streamers" ("id", "guild_id", "overlay_key", "updated_at") VALUES ($1, $2, $3, now())`, [
    id,
    `9${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    randomUUID(),
  ]);
  // Ids like Prisma's (random UUIDs), so the "C"-collated sort sees the same kind of keys.
  await runner.query(
    `INSERT INTO "items" ("id", "streamer_id", "name", "weight", "stock", "remaining")
     SELECT md5($1 || '-' || i)::uuid::text, $1, 'prize ' || i, 1 + (i % 97), $3, $3 FROM generate_series(1, $2::int) AS i`,
    [id, items, stock],
  );
  await runner.exec('ANALYZE "items"');
  return id;
}

async function alternate(calls: number, a: () => Promise<unknown>, b: () => Promise<unknown>) {
  const times = { a: [] as number[], b: [] as number[] };
  const time = async (side: 'a' | 'b') => {
    const started = performance.now();
    await (side === 'a' ? a() : b());
    times[side].push(performance.now() - started);
  };
  for (let index = 0; index < calls; index += 1) {
    // Alternate which goes first, so neither always runs on a warmer cache.
    for (const side of index % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const)) await time(side);
  }
  return { a: summarize(times.a), b: summarize(times.b) };
}

/**
 * The floor's own session for the statement and draw cases: on PostgreSQL a plain pg client whose
 * statements are named as the app's are (prepared once); on PGlite the migration runner's session.
 */
async function openFloorSession(databaseUrl: string | undefined, runner: SqlRunner): Promise<{ query: Query; close(): Promise<void> }> {
  if (!databaseUrl) return { query: (sql, params) => runner.query(sql, params), close: async () => {} };
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  return { query: async (sql, params) => (await client.query(named(sql, params))).rows, close: () => client.end() };
}

async function measureStatement(database: Database, floor: Query, calls: number) {
  await alternate(50, () => database.prisma.$queryRaw`SELECT 1 AS one`, () => floor('SELECT 1 AS one'));
  const { a, b } = await alternate(calls, () => database.prisma.$queryRaw`SELECT 1 AS one`, () => floor('SELECT 1 AS one'));
  return { prisma: a, floor: b };
}

async function measureDraw(database: Database, runner: SqlRunner, floorQuery: Query, items: number, calls: number, problems: string[]): Promise<DrawSizeResult> {
  const streamerId = await seedStreamer(runner, items, 1);
  const [sum] = await runner.query<{ total: string | number }>(`SELECT sum("weight") AS total FROM "items" WHERE "streamer_id" = $1`, [streamerId]);
  const total = Number(sum!.total);
  // The derivation's integer target t = floor(u × total) for a uniform u (make_raffle takes t).
  const viaPrisma = (u: number) => drawPrize(database.prisma, streamerId, Math.floor(u * total));
  const bare = async (u: number) => {
    const [row] = await floorQuery<{ item_id: string; item_weight: number; total_weight: string | number }>(BARE_DRAW_SQL, [streamerId, Math.floor(u * total)]);
    return row ? { itemId: row.item_id, itemWeight: row.item_weight, totalWeight: Number(row.total_weight) } : null;
  };
  // Same prize for the same u, or the floor is not the same computation.
  for (const u of [0, 0.25, 0.5, 0.999_999, cryptoRandom.uniform()]) {
    const [a, b] = [await viaPrisma(u), await bare(u)];
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`draw ${items}: make_raffle and the bare SQL disagree at u=${u}: ${JSON.stringify([a, b])}`);
  }
  const warmup = Math.min(20, Math.max(3, Math.floor(calls / 10)));
  for (let index = 0; index < warmup; index += 1) {
    await viaPrisma(cryptoRandom.uniform());
    await bare(cryptoRandom.uniform());
  }
  const { a: prisma, b: floor } = await alternate(
    calls,
    () => viaPrisma(cryptoRandom.uniform()),
    () => bare(cryptoRandom.uniform()),
  );
  return { items, calls, prisma, floor, ratioMedian: prisma.p50 / floor.p50 };
}

interface RoundTarget {
  raffleId: string;
  streamerId: string;
}

async function seedRaffles(runner: SqlRunner, chatters: InMemoryChatterSource, seeds: ServerSeedVault, count: number): Promise<RoundTarget[]> {
  const targets: RoundTarget[] = [];
  for (let index = 0; index < count; index += 1) {
    const streamerId = await seedStreamer(runner, 20, 1_000_000);
    const raffleId = randomUUID();
    // Sealed, with the seed sealed for its row as startRaffle writes it.
    const sealed = seeds.create(raffleId);
    await runner.query(
      `INSERT INTO "raffles" ("id", "streamer_id", "interval_seconds", "draw_chance", "next_round_at", "fairness", "seal_hash", "server_seed_enc")
       VALUES ($1, $2, 86400, 1, now() + interval '1 day', 'SEALED', $3, $4)`,
      [raffleId, streamerId, sealed.sealHash, sealed.serverSeedEnc],
    );
    chatters.set(streamerId, generateViewers(2_000));
    targets.push({ raffleId, streamerId });
  }
  return targets;
}

async function measureRounds(
  database: Database,
  runner: SqlRunner,
  databaseUrl: string | undefined,
  bus: EventBus,
  raffles: number,
  seconds: number,
  problems: string[],
): Promise<RoundsResult> {
  const chatters = new InMemoryChatterSource();
  const seeds = new ServerSeedVault([randomBytes(32)]);
  const appTargets = await seedRaffles(runner, chatters, seeds, raffles);
  const floorTargets = await seedRaffles(runner, chatters, seeds, raffles);
  const rounds = new RoundRunner({
    db: database.prisma,
    chatters,
    seeds,
    snapshots: new EntrantSnapshots(database.prisma),
    drand: new DrandBeacons({ urls: ['http://127.0.0.1:9'], chainHash: '0'.repeat(64), publicKey: '0'.repeat(192), timeoutMs: 1000 }, pino({ level: 'silent' })),
    events: new RaffleEvents(bus),
    logger: pino({ level: 'silent' }),
    instanceId: 'bench-rounds',
    leaseSeconds: 15,
    excludedLogins: [],
    outboxChannels: () => [OUTBOX_CHANNEL],
  });
  // The floor's connections: one plain client per raffle at once (the app's pool has 10). Its
  // statements are named as the app's are (src/db/statement-names.ts): each prepared once per connection.
  const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: Math.max(1, raffles) }) : undefined;
  const floorSql: FloorSql = pool
    ? { query: async (sql, params) => (await pool.query(named(sql, params))).rows, transaction: (work) => pgTransaction(pool, work) }
    : { query: (sql, params) => runner.query(sql, params), transaction: (work) => runnerTransaction(runner, work) };

  const appRound = async (target: RoundTarget) => {
    const result = await rounds.run(target.raffleId, { force: true });
    if (result.kind !== 'round' || result.round.outcome !== 'WINNER') {
      problems.push(`rounds: app round was ${result.kind === 'round' ? result.round.outcome : result.kind}`);
    }
  };
  const floorRound = async (target: RoundTarget) => {
    const outcome = await bareRound(floorSql, bus, chatters, seeds, target);
    if (outcome !== 'WINNER') problems.push(`rounds: floor round was ${outcome}`);
  };
  const measure = async (run: (target: RoundTarget) => Promise<void>, targets: RoundTarget[], sliceMs: number) => {
    const deadline = performance.now() + sliceMs;
    let count = 0;
    await Promise.all(
      targets.map(async (target) => {
        while (performance.now() < deadline) {
          await run(target);
          count += 1;
        }
      }),
    );
    return count;
  };
  try {
    await measure(appRound, appTargets, 300);
    await measure(floorRound, floorTargets, 300);
    const statementsPerRound = databaseUrl
      ? {
          app: await countStatements(() => appRound(appTargets[0]!), 5),
          floor: await countStatements(() => floorRound(floorTargets[0]!), 5),
        }
      : undefined;
    const slices = Math.max(1, Math.round(seconds / 1.5));
    const sliceMs = (seconds * 1000) / slices;
    const totals = { app: 0, floor: 0, appMs: 0, floorMs: 0 };
    for (let slice = 0; slice < slices; slice += 1) {
      for (const side of slice % 2 === 0 ? (['app', 'floor'] as const) : (['floor', 'app'] as const)) {
        const started = performance.now();
        const count = side === 'app' ? await measure(appRound, appTargets, sliceMs) : await measure(floorRound, floorTargets, sliceMs);
        totals[side] += count;
        totals[side === 'app' ? 'appMs' : 'floorMs'] += performance.now() - started;
        await sleep(50);
      }
    }
    const app = { rounds: totals.app, perSecond: totals.app / (totals.appMs / 1000) };
    const floor = { rounds: totals.floor, perSecond: totals.floor / (totals.floorMs / 1000) };
    return { raffles, statementsPerRound, app, floor, ratio: floor.perSecond / app.perSecond };
  } finally {
    await pool?.end();
  }
}

/** Statements sent through pg.Client#query (Prisma's adapter and plain clients alike) per call of `work`. */
async function countStatements(work: () => Promise<void>, times: number): Promise<number> {
  const original = pg.Client.prototype.query;
  let count = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    count += 1;
    return (original as (...args: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    for (let index = 0; index < times; index += 1) await work();
  } finally {
    pg.Client.prototype.query = original;
  }
  return count / times;
}

type Query = <Row = any>(sql: string, params?: unknown[]) => Promise<Row[]>;

const floorStatementName = statementNames(DEFAULT_PREPARED_STATEMENTS);
const named = (text: string, values: unknown[] = []): pg.QueryConfig => ({ name: floorStatementName(text) || undefined, text, values });

interface FloorSql {
  query: Query;
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T>;
}

async function pgTransaction<T>(pool: pg.Pool, work: (query: Query) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(async (sql, params) => (await client.query(named(sql, params))).rows);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function runnerTransaction<T>(runner: SqlRunner, work: (query: Query) => Promise<T>): Promise<T> {
  await runner.exec('BEGIN');
  try {
    const result = await work((sql, params) => runner.query(sql, params));
    await runner.exec('COMMIT');
    return result;
  } catch (error) {
    await runner.exec('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * One round by hand, as a straightforward raw-pg implementation would do the app's work:
 * the claim; the raffle with its streamer (one join); the items with copies left; the earlier
 * winners; eligibility, canonical order and the entrants hash; the snapshot (gzip of the same
 * JSON, INSERT … ON CONFLICT DO NOTHING); itemsHash and commitHash; the commit (a plain INSERT)
 * and the COMMITTED publish; the sealed seed opened and the round's R; the derivation; then in
 * one transaction the lock, make_raffle(t), the stock decrement, the round row, the outbox row,
 * the stock left and the raffle update; and the two round publishes.
 */
async function bareRound(sql: FloorSql, bus: EventBus, chatters: InMemoryChatterSource, seeds: ServerSeedVault, target: RoundTarget): Promise<string> {
  const claimed = await sql.query(
    `UPDATE "raffles" SET "lease_owner" = 'bench-floor', "lease_until" = now() + interval '15 seconds'
     WHERE "id" = $1 AND "status" = 'RUNNING' AND ("lease_until" IS NULL OR "lease_until" < now()) RETURNING "id"`,
    [target.raffleId],
  );
  if (claimed.length === 0) return 'NOT_CLAIMED';
  const [raffle] = await sql.query<{
    streamer_id: string;
    interval_seconds: number;
    draw_chance: number;
    round_count: number;
    seal_hash: string;
    server_seed_enc: string;
    twitch_user_id: string | null;
    login: string | null;
  }>(
    `SELECT r."streamer_id", r."interval_seconds", r."draw_chance", r."round_count", r."seal_hash", r."server_seed_enc", s."twitch_user_id", s."login"
     FROM "raffles" r JOIN "streamers" s ON s."id" = r."streamer_id" WHERE r."id" = $1`,
    [target.raffleId],
  );
  const number = raffle!.round_count + 1;
  const itemRows = await sql.query<{ id: string; weight: number }>(
    `SELECT "id", "weight" FROM "items" WHERE "streamer_id" = $1 AND "removed_at" IS NULL AND "remaining" > 0`,
    [target.streamerId],
  );
  const everyone = (await chatters.snapshot({ id: target.streamerId, twitchUserId: raffle!.twitch_user_id, login: raffle!.login })).chatters;
  const earlier = await sql.query<{ winner_user_id: string }>(
    `SELECT "winner_user_id" FROM "rounds" WHERE "raffle_id" = $1 AND "outcome" = 'WINNER'`,
    [target.raffleId],
  );
  const eligible = eligibleChatters(everyone, { excludeUserIds: earlier.map((row) => row.winner_user_id), excludeLogins: [] });
  // The fairness core's canonical forms; SHA-256 of the entrants list through node:crypto, as the app does.
  const entrants = canonicalEntrants(eligible.map(({ userId, login, displayName }) => ({ userId, login, displayName, tickets: 1 })));
  const entrantsHash = createHash('sha256').update(entrantsList(entrants), 'utf8').digest('hex');
  await sql.query(
    `INSERT INTO "entrant_snapshots" ("entrants_hash", "entrant_count", "data") VALUES ($1, $2, $3) ON CONFLICT ("entrants_hash") DO NOTHING`,
    [entrantsHash, entrants.length, await encodeEntrants(entrants)],
  );
  const items = canonicalItems(itemRows);
  const source = { kind: 'sealed' as const, sealHash: raffle!.seal_hash };
  const commitInput = { raffleId: target.raffleId, roundNumber: number, forced: true, chancePpm: chancePpm(raffle!.draw_chance), itemsHash: itemsHash(items), entrantsHash, source };
  const commit = commitHash(commitInput);
  await sql.query(
    `INSERT INTO "round_commits" ("raffle_id", "number", "forced", "chance_ppm", "items_hash", "items_list", "entrants_hash", "entrant_count", "source", "commit_hash", "committed_at")
     VALUES ($1, $2, true, $3, $4, $5, $6, $7, $8, $9, now())`,
    [target.raffleId, number, commitInput.chancePpm, commitInput.itemsHash, items.map((item) => `${item.id}:${item.weight}`).join('\n'), entrantsHash, entrants.length, sourceString(source), commit],
  );
  bus.publish('raffleEvents', target.streamerId, { kind: 'COMMITTED', raffleId: target.raffleId, roundId: null, number, commit: { roundNumber: number, commitHash: commit, source: sourceString(source), beaconRound: null } });
  const randomness = sealedRoundRandomness(seeds.open(target.raffleId, raffle!.server_seed_enc), number);
  const derived = deriveRound(roundSeed(randomness, commit), { forced: true, chancePpm: commitInput.chancePpm, items, entrants, alreadyCanonical: true });
  if (derived.outcome !== 'WINNER') return derived.outcome;
  const winnerIndex = entrants.findIndex((entrant) => entrant.userId === derived.winnerUserId);
  const winner = entrants[winnerIndex]!;
  const committed = await sql.transaction(async (query) => {
    await query(`SELECT status::text AS status, lease_owner, round_count FROM "raffles" WHERE "id" = $1 FOR UPDATE`, [target.raffleId]);
    const [prize] = await query<{ item_id: string; item_weight: number; total_weight: string }>(`SELECT item_id, item_weight, total_weight FROM make_raffle($1, $2)`, [
      target.streamerId,
      derived.prizeTarget,
    ]);
    await query(`UPDATE "items" SET "remaining" = "remaining" - 1 WHERE "id" = $1 AND "remaining" > 0`, [prize!.item_id]);
    const [row] = await query<{ id: number; number: number }>(
      `INSERT INTO "rounds" ("raffle_id", "number", "at", "outcome", "chance_value", "eligible_count", "commit_hash", "draw_value", "prize_target", "winner_target",
         "item_id", "item_weight", "total_weight", "winner_index", "winner_user_id", "winner_login", "winner_display_name", "winner_tickets")
       VALUES ($1, $2, now(), 'WINNER', NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
      [
        target.raffleId,
        number,
        entrants.length,
        commit,
        derived.prizeTarget! / derived.totalWeight,
        derived.prizeTarget,
        derived.winnerTarget,
        prize!.item_id,
        prize!.item_weight,
        Number(prize!.total_weight),
        winnerIndex,
        winner.userId,
        winner.login,
        winner.displayName,
        winner.tickets,
      ],
    );
    await query(`INSERT INTO "outbox_messages" ("round_id", "channel") VALUES ($1, $2)`, [row!.id, OUTBOX_CHANNEL]);
    await query(`SELECT count(*) FROM "items" WHERE "streamer_id" = $1 AND "removed_at" IS NULL AND "remaining" > 0`, [target.streamerId]);
    await query(
      `UPDATE "raffles" SET "round_count" = $2, "next_round_at" = now() + make_interval(secs => $3), "lease_owner" = NULL, "lease_until" = NULL
       WHERE "id" = $1 RETURNING *`,
      [target.raffleId, number, raffle!.interval_seconds],
    );
    return row!;
  });
  const ids = { raffleId: target.raffleId, roundId: committed.id, number: committed.number };
  bus.publish('winnerDrawn', target.streamerId, ids);
  bus.publish('raffleEvents', target.streamerId, { kind: 'ROUND', ...ids });
  return 'WINNER';
}

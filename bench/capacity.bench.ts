/**
 * Scheduler capacity: N raffles at a 10 s interval on 1, 2 and 3 API instances (child processes,
 * one PostgreSQL database, Redis), N raised step by step until the scheduler's lag (round time −
 * due time, both database clock) passes 1 s at p99 or rounds go missing; reports the largest N
 * that held, per instance count. Raffles, streamers and prizes are inserted with SQL (50 chatters
 * each, every round draws a winner), their due times spread evenly over one interval.
 *
 * Drift: one raffle at a 1 s interval on one instance; rounds drawn against the slots due
 * (startedAt + k s) and how far that schedule would fall behind in an hour.
 */
import pg from 'pg';
import { benchEncryptionKey } from './lib/bench-app';
import type { BenchContext } from './lib/context';
import { spawnWorker, type Worker } from './lib/rpc';
import { round, sleep, summarize } from './lib/stats';

export interface CapacityOptions {
  instanceCounts: number[];
  /** Raffle counts tried in order, per instance count, until one fails. */
  steps: number[];
  intervalSeconds: number;
  /** Lag measured over this long at each step (after `settleSeconds`). */
  windowSeconds: number;
  settleSeconds: number;
  driftSeconds: number;
  pollMs: number;
}

export interface CapacityStep {
  raffles: number;
  rounds: number;
  expectedRounds: number;
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  held: boolean;
  loadAverage: number;
}

export interface CapacityResult {
  lagLimitMs: number;
  byInstances: Array<{ instances: number; sustained: number; steps: CapacityStep[] }>;
  drift?: { seconds: number; rounds: number; slots: number; roundsPerMinute: number; driftSecondsPerHour: number; lagP50Ms: number; lagP99Ms: number };
  problems: string[];
}

const LAG_LIMIT_MS = 1_000;
/** A step also fails when fewer rounds than this share of the slots due in its window were drawn. */
const MIN_ROUND_SHARE = 0.97;

const workerFile = new URL('./workers/scheduler-worker.ts', import.meta.url);

export async function runCapacity(context: BenchContext, options: CapacityOptions): Promise<CapacityResult> {
  const result: CapacityResult = { lagLimitMs: LAG_LIMIT_MS, byInstances: [], problems: [] };
  if (!context.postgresUrl) {
    result.problems.push('capacity needs PostgreSQL (several instances on one database): skipped');
    return result;
  }
  const counts = context.redisUrl ? options.instanceCounts : [1];
  if (!context.redisUrl) context.notes.push('capacity: Redis did not answer, one instance only.');
  for (const instances of counts) {
    const databaseUrl = (await context.scratchDatabase())!;
    const workers = await startInstances(instances, databaseUrl, context.redisUrl, options.pollMs);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      if (instances === counts[0]) result.drift = await measureDrift(context, client, workers[0]!, options.driftSeconds);
      const steps: CapacityStep[] = [];
      let present = 0;
      for (const raffles of options.steps) {
        const streamerIds = await insertRaffles(client, raffles - present, options.intervalSeconds);
        present = raffles;
        await Promise.all(workers.map((worker) => worker.call('setChatters', { streamerIds })));
        await sleep(options.settleSeconds * 1000);
        const from = await dbNowMs(client);
        await sleep(options.windowSeconds * 1000);
        const to = await dbNowMs(client);
        // Rounds of the window that are still committing land within a moment.
        await sleep(Math.min(2_000, options.intervalSeconds * 200));
        const lags = (await Promise.all(workers.map((worker) => worker.call<number[]>('lags', { from, to })))).flat();
        const lag = summarize(lags);
        const expectedRounds = Math.round((raffles * (to - from)) / (options.intervalSeconds * 1000));
        const held = lags.length > 0 && lag.p99 <= LAG_LIMIT_MS && lags.length >= MIN_ROUND_SHARE * expectedRounds;
        const step = { raffles, rounds: lags.length, expectedRounds, lagP50Ms: lag.p50, lagP99Ms: lag.p99, lagMaxMs: lag.max, held, loadAverage: (await import('node:os')).loadavg()[0]! };
        steps.push(step);
        context.log(
          `capacity ${instances} inst. × ${raffles} raffles: ${lags.length}/${expectedRounds} rounds, lag p50 ${round(lag.p50)} ms ` +
            `p99 ${round(lag.p99)} ms max ${round(lag.max)} ms (load ${step.loadAverage.toFixed(1)})${held ? '' : ' — over'}`,
        );
        if (!held) break;
      }
      const sustained = Math.max(0, ...steps.filter((step) => step.held).map((step) => step.raffles));
      result.byInstances.push({ instances, sustained, steps });
    } finally {
      await client.end();
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  }
  return result;
}

async function startInstances(count: number, databaseUrl: string, redisUrl: string | undefined, pollMs: number): Promise<Worker[]> {
  const encryptionKey = benchEncryptionKey();
  const workers: Worker[] = [];
  try {
    for (let index = 0; index < count; index += 1) {
      const worker = spawnWorker(workerFile, { name: `scheduler-${index}` });
      workers.push(worker);
      // One after the other: the first migrates the new database.
      await worker.call('start', { databaseUrl, redisUrl, encryptionKey, pollMs }, 120_000);
    }
    return workers;
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.stop()));
    throw error;
  }
}

async function dbNowMs(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ ms: number }>(`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS ms`);
  return rows[0]!.ms;
}

/**
 * `count` streamers, each with one prize of large stock and a running raffle whose first round is
 * due within the next interval (evenly spread), on the grid startedAt + k × interval.
 */
async function insertRaffles(client: pg.Client, count: number, intervalSeconds: number): Promise<string[]> {
  if (count <= 0) return [];
  const { rows } = await client.query<{ id: string }>(
    `WITH s AS (
       INSERT INTO streamers (id, guild_id, overlay_key_hash, overlay_key_enc, updated_at)
       SELECT gen_random_uuid()::text, 'bench-' || gen_random_uuid()::text, 'bench.' || gen_random_uuid()::text, 'unused', now()
         FROM generate_series(1, $1::int)
       RETURNING id),
     i AS (
       INSERT INTO items (id, streamer_id, name, weight, stock, remaining)
       SELECT gen_random_uuid()::text, id, 'prize', 1, 1000000, 1000000 FROM s),
     r AS (
       INSERT INTO raffles (id, streamer_id, interval_seconds, draw_chance, allow_repeat_winners, started_at, next_round_at)
       SELECT gen_random_uuid()::text, id, $2::int, 1, true, due - make_interval(secs => $2::int), due
         FROM (SELECT id, date_trunc('milliseconds', now() + make_interval(secs => 0.5 + $2::int * (row_number() OVER ()) / $1::int)) AS due
                 FROM s) spread)
     SELECT id FROM s`,
    [count, intervalSeconds],
  );
  return rows.map((row) => row.id);
}

async function measureDrift(context: BenchContext, client: pg.Client, worker: Worker, seconds: number): Promise<CapacityResult['drift']> {
  const [streamerId] = await insertRaffles(client, 1, 1);
  await worker.call('setChatters', { streamerIds: [streamerId] });
  await sleep(seconds * 1000 + 1_500);
  const { rows } = await client.query<{ started: number; at: number }>(
    `UPDATE raffles SET status = 'STOPPED', end_reason = 'STOPPED', ended_at = now() WHERE streamer_id = $1 RETURNING
       (extract(epoch FROM started_at) * 1000)::float8 AS started, 0::float8 AS at`,
    [streamerId],
  );
  const started = rows[0]!.started;
  const rounds = await client.query<{ at: number }>(
    `SELECT (extract(epoch FROM r.at) * 1000)::float8 AS at FROM rounds r JOIN raffles f ON f.id = r.raffle_id
      WHERE f.streamer_id = $1 ORDER BY r.number`,
    [streamerId],
  );
  await worker.call('lags', { from: 0, to: Number.MAX_SAFE_INTEGER }); // not part of the capacity steps
  const ats = rounds.rows.map((row) => row.at);
  const last = ats.at(-1) ?? started;
  const span = last - started;
  // The slot of the last round (lags stay under a second here): slots 1 … that one were due.
  const slots = Math.floor(span / 1000);
  const lags = summarize(ats.map((at) => (at - started) % 1000));
  const drift = {
    seconds: round(span / 1000, 1),
    rounds: ats.length,
    slots,
    roundsPerMinute: span > 0 ? round((ats.length / span) * 60_000, 2) : 0,
    driftSecondsPerHour: span > 0 ? round(((slots - ats.length) * 1000 * 3600) / span, 1) : 0,
    lagP50Ms: lags.p50,
    lagP99Ms: lags.p99,
  };
  context.log(`drift: ${drift.rounds} rounds for ${drift.slots} slots over ${drift.seconds} s (${drift.roundsPerMinute}/min), ${drift.driftSecondsPerHour} s/h`);
  return drift;
}

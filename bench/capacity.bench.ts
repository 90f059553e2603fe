/**
 * Scheduler capacity: N raffles at a 10 s interval on 1, 2 and 3 API instances (child processes,
 * one PostgreSQL database, Redis), N raised step by step until the scheduler's lag (round time −
 * due time, both database clock) passes 1 s at p99; reports the largest N that held, per instance
 * count. Raffles, streamers and prizes are inserted with SQL (50 chatters each, every round draws
 * a winner), their due times spread evenly over one interval (until 2026-12-04 an integer division
 * made them whole seconds: a tenth of the raffles due at the same instant every second, so the
 * figures before that measured bursts). The steps are per instance: k
 * instances try the plan's counts × k, so more instances are never capped by a plan sized for
 * one (2,000 … 6,000 capped two instances at ×1.5 once one instance held 4,000).
 *
 * What a step counts: the slots DUE in its window (each raffle's grid startedAt + k × interval,
 * computed from the database), and for each the round drawn for it, matched by raffle and due
 * time, whenever it committed. A slot with no round by 1.5 s after the window (skipped, or still
 * waiting) counts as over the limit. Counting rounds by their commit time instead (as this bench
 * did before 2026-12-02) let rounds due in the settle period but drawn late land in the window:
 * "2205/2002 rounds" at a cold start was that, not extra rounds (both counts are logged). Every
 * instance set warms up for one interval before its first step (each raffle draws once), and then
 * until rounds are on time (at most three intervals): the first set had the drift phase before it,
 * the others nothing, so the new processes' cold start (JIT, empty pools, every raffle's first
 * round) was measured at their first step (three instances' first 3,000 fell 3.6 s behind there).
 *
 * Exactly once: every round any instance drew is checked against all others (no raffle drawn
 * twice for one due time or one number), the database must hold every round the instances
 * reported (and no fewer), and no raffle may have more rounds than slots due since it started.
 * A breach is a PROBLEM (the bench exits 1).
 *
 * The scheduler's ceiling, reported beside the app's figure (not a floor the app is held to): the
 * real scheduler and claim statement in a process of their own, each round reduced to the one
 * statement that moves a raffle on (bench/workers/scheduler-ceiling-worker.ts), 3,000 raffles
 * at a 1 s interval; what it sustains is the most rounds per second scheduling lets one instance
 * run. Added 2026-12-02 when the old refill (at most 2 × concurrency claims per 100 ms) turned out
 * to cap an instance at ~155 rounds/s whatever a round cost.
 *
 * After the first step over the limit, one more step halfway between it and the last one held
 * (raffles stopped down to that count; it settles once the backlog is gone) sharpens the figure.
 *
 * Drift: one raffle at a 1 s interval on one instance; rounds drawn against the slots due
 * (startedAt + k s) and how far that schedule would fall behind in an hour.
 *
 * BENCH_CPU_PROF_DIR: a CPU profile of each instance over each step's window.
 */
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { benchEncryptionKey } from './lib/bench-app';
import type { BenchContext } from './lib/context';
import { coresByGroup, cpuSnapshot } from './lib/cpu-by-process';
import { spawnWorker, type Worker } from './lib/rpc';
import { round, sleep, summarize } from './lib/stats';
import type { RoundRecord } from './workers/scheduler-worker';
import type { SchedulerStats } from '../src/raffles/raffle-scheduler';

export interface CapacityOptions {
  instanceCounts: number[];
  /** Raffle counts per instance tried in order until one fails: k instances run these × k. */
  steps: number[];
  intervalSeconds: number;
  /** Lag measured over this long at each step (after `settleSeconds`). */
  windowSeconds: number;
  settleSeconds: number;
  /** Before the first step of each instance count (then until rounds are on time), before its settle. */
  warmupSeconds: number;
  /** One more step halfway between the last held and the first over. */
  refine: boolean;
  driftSeconds: number;
  pollMs: number;
  /** The scheduler's own ceiling: this many raffles at a 1 s interval, measured this long. */
  ceilingRaffles: number;
  ceilingSeconds: number;
}

export interface CapacityStep {
  raffles: number;
  /** Slots due in the window, and the rounds drawn for them. */
  slots: number;
  rounds: number;
  /** Over the slots (a slot without a round counts as infinitely late). */
  lagP50Ms: number;
  lagP99Ms: number;
  /** Of the rounds drawn. */
  lagMaxMs: number;
  /** Wait from due to claimed, in the instance's queue, and from claimed to the round's commit. */
  claimWaitP50Ms: number;
  claimWaitP99Ms: number;
  queueP50Ms: number;
  queueP99Ms: number;
  roundP50Ms: number;
  roundP99Ms: number;
  /** Rounds drawn by each instance, and claim statements per round on each. */
  perInstance: Array<{ rounds: number; sweepsPerRound: number }>;
  held: boolean;
  loadAverage: number;
  /** The machine's CPU busy over the window, as a fraction of all its cores (every process: instances, PostgreSQL, Redis, this bench). */
  machineCpuBusy: number;
  /** Cores used over the window by the instances, PostgreSQL, Redis and everything else (Linux; undefined elsewhere). */
  coresUsed: Record<'instances' | 'postgres' | 'redis' | 'other', number> | undefined;
}

export interface CapacityResult {
  lagLimitMs: number;
  byInstances: Array<{ instances: number; sustained: number; steps: CapacityStep[] }>;
  /** The scheduler alone (a one-statement round), one instance: rounds per second it sustains. */
  ceiling?: { raffles: number; demandPerSecond: number; roundsPerSecond: number; sweepsPerRound: number; concurrency: number; loadAverage: number };
  drift?: { seconds: number; rounds: number; slots: number; roundsPerMinute: number; driftSecondsPerHour: number; lagP50Ms: number; lagP99Ms: number };
  problems: string[];
}

const LAG_LIMIT_MS = 1_000;
/** After the window: a round due in it and not reported by then is over the limit anyway. */
const REPORT_WAIT_MS = LAG_LIMIT_MS + 500;

const workerFile = new URL('./workers/scheduler-worker.ts', import.meta.url);
const ceilingWorkerFile = new URL('./workers/scheduler-ceiling-worker.ts', import.meta.url);

export async function runCapacity(context: BenchContext, options: CapacityOptions): Promise<CapacityResult> {
  const result: CapacityResult = { lagLimitMs: LAG_LIMIT_MS, byInstances: [], problems: [] };
  if (!context.postgresUrl) {
    result.problems.push('capacity needs PostgreSQL (several instances on one database): skipped');
    return result;
  }
  result.ceiling = await measureCeiling(context, options);
  const counts = context.redisUrl ? options.instanceCounts : [1];
  if (!context.redisUrl) context.notes.push('capacity: Redis did not answer, one instance only.');
  for (const instances of counts) {
    const databaseUrl = (await context.scratchDatabase())!;
    const workers = await startInstances(instances, databaseUrl, context.redisUrl, options.pollMs);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const ledger = new RoundLedger(instances);
    try {
      if (instances === counts[0]) result.drift = await measureDrift(context, client, workers[0]!, options.driftSeconds);
      await ledger.collect(workers); // the drift raffle's rounds: checked too, not part of any step
      const steps: CapacityStep[] = [];
      const measure = async (raffles: number, settleSeconds: number) => {
        const step = await measureStep(context, client, workers, ledger, { ...options, instances, raffles, settleSeconds });
        steps.push(step);
        return step;
      };
      let running = 0;
      for (const [index, raffles] of options.steps.map((perInstance) => perInstance * instances).entries()) {
        const streamerIds = await insertRaffles(client, raffles - running, options.intervalSeconds);
        running = raffles;
        await Promise.all(workers.map((worker) => worker.call('setChatters', { streamerIds })));
        if (index === 0) {
          // New processes (cold JIT, empty pools) and every raffle's first round (its seal, its
          // first entrant snapshot): warm up one interval, then until rounds are on time again.
          await sleep(options.warmupSeconds * 1000);
          const caughtUp = options.warmupSeconds === 0 || (await untilCaughtUp(workers, ledger, options.intervalSeconds * 3));
          if (!caughtUp) context.notes.push(`capacity ${instances} inst.: still behind ${options.intervalSeconds * 3} s after the warm-up at ${raffles}`);
        }
        const step = await measure(raffles, options.settleSeconds);
        if (!step.held) break;
      }
      const held = steps.filter((step) => step.held).at(-1);
      const over = steps.find((step) => !step.held);
      const halfway = held && over ? Math.round((held.raffles + over.raffles) / 20) * 10 : 0;
      if (options.refine && held && over && halfway > held.raffles && halfway < over.raffles) {
        await stopRaffles(client, over.raffles - halfway);
        // The step over the limit leaves a backlog: start settling once rounds are on time again.
        const caughtUp = await untilCaughtUp(workers, ledger, options.intervalSeconds * 3);
        if (!caughtUp) context.notes.push(`capacity ${instances} inst.: still behind ${options.intervalSeconds * 3} s after stopping down to ${halfway}`);
        await measure(halfway, options.settleSeconds);
      }
      result.problems.push(...ledger.problems, ...(await checkDatabase(client, ledger)));
      const sustained = Math.max(0, ...steps.filter((step) => step.held).map((step) => step.raffles));
      result.byInstances.push({ instances, sustained, steps: steps.sort((a, b) => a.raffles - b.raffles) });
    } finally {
      await client.end();
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  }
  return result;
}

async function measureStep(
  context: BenchContext,
  client: pg.Client,
  workers: Worker[],
  ledger: RoundLedger,
  step: CapacityOptions & { instances: number; raffles: number; settleSeconds: number },
): Promise<CapacityStep> {
  await sleep(step.settleSeconds * 1000);
  await ledger.collect(workers); // settle-period rounds: checked for doubles, not measured
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  if (profileDir) await Promise.all(workers.map((worker) => worker.call('cpuProfileStart')));
  const statsBefore = await Promise.all(workers.map((worker) => worker.call<SchedulerStats>('stats')));
  const from = await dbNowMs(client);
  const cpuBefore = machineCpuTimes();
  const processesBefore = cpuSnapshot();
  await sleep(step.windowSeconds * 1000);
  const machineCpuBusy = busyBetween(cpuBefore, machineCpuTimes());
  const processesAfter = cpuSnapshot();
  const coresUsed =
    processesBefore && processesAfter
      ? (coresByGroup(processesBefore, processesAfter, [
          { name: 'instances', pids: new Set(workers.map((worker) => worker.pid)) },
          { name: 'postgres', comm: 'postgres' },
          { name: 'redis', comm: 'redis-server' },
        ]) as NonNullable<CapacityStep['coresUsed']>)
      : undefined;
  const to = await dbNowMs(client);
  const statsAfter = await Promise.all(workers.map((worker) => worker.call<SchedulerStats>('stats')));
  if (profileDir) {
    await Promise.all(
      workers.map((worker, index) =>
        worker.call('cpuProfileStop', { file: path.join(profileDir, `capacity-${step.instances}i-${step.raffles}-${index}.cpuprofile`) }),
      ),
    );
  }
  await sleep(REPORT_WAIT_MS);
  const reported = await ledger.collect(workers);
  const drawn = reported.filter((record) => record.dueAt >= from && record.dueAt < to);
  // What this bench counted before: rounds committed in the window, whatever slot they were due in.
  const committedInWindow = reported.filter((record) => record.at >= from && record.at < to).length;
  const slots = await slotsDue(client, from, to);
  // Without a double draw (the ledger's check) only a failed round, retried off its grid, does this.
  if (drawn.length > slots) context.notes.push(`capacity ${step.instances} inst. × ${step.raffles}: ${drawn.length} rounds for ${slots} slots due (rounds retried off their grid)`);
  const missing = Math.max(0, slots - drawn.length);
  const lags = [...drawn.map((record) => record.at - record.dueAt), ...Array<number>(missing).fill(Number.POSITIVE_INFINITY)];
  const lag = summarize(lags);
  const drawnLag = summarize(drawn.map((record) => record.at - record.dueAt));
  const claimWait = summarize(drawn.map((record) => record.claimedAt - record.dueAt));
  const queued = summarize(drawn.map((record) => record.queuedMs));
  const roundTime = summarize(drawn.map((record) => record.at - record.claimedAt));
  const perInstance = workers.map((_, index) => {
    const rounds = drawn.filter((record) => record.instance === index).length;
    const sweeps = statsAfter[index]!.sweeps - statsBefore[index]!.sweeps;
    const claimed = statsAfter[index]!.claimed - statsBefore[index]!.claimed;
    return { rounds, sweepsPerRound: claimed > 0 ? round(sweeps / claimed, 2) : 0 };
  });
  const held = slots > 0 && lag.p99 <= LAG_LIMIT_MS;
  const result: CapacityStep = {
    raffles: step.raffles,
    slots,
    rounds: drawn.length,
    lagP50Ms: lag.p50,
    lagP99Ms: lag.p99,
    lagMaxMs: drawnLag.max,
    claimWaitP50Ms: claimWait.p50,
    claimWaitP99Ms: claimWait.p99,
    queueP50Ms: queued.p50,
    queueP99Ms: queued.p99,
    roundP50Ms: roundTime.p50,
    roundP99Ms: roundTime.p99,
    perInstance,
    held,
    loadAverage: os.loadavg()[0]!,
    machineCpuBusy,
    coresUsed,
  };
  context.log(
    `capacity ${step.instances} inst. × ${step.raffles} raffles: ${drawn.length}/${slots} slots drawn (${committedInWindow} rounds committed in the window), lag p50 ${round(lag.p50)} ms ` +
      `p99 ${Number.isFinite(lag.p99) ? `${round(lag.p99)} ms` : `∞ (${missing} missing)`} max ${round(drawnLag.max)} ms; ` +
      `due→claimed p50 ${round(claimWait.p50)} p99 ${round(claimWait.p99)} ms, queued p50 ${round(queued.p50)} p99 ${round(queued.p99)} ms, ` +
      `claimed→round p50 ${round(roundTime.p50)} p99 ${round(roundTime.p99)} ms; ` +
      `per instance ${perInstance.map((entry) => `${entry.rounds} (${entry.sweepsPerRound} claims/round)`).join(', ')} ` +
      `(load ${result.loadAverage.toFixed(1)}, CPU ${Math.round(machineCpuBusy * 100)} % of ${os.cpus().length} cores busy` +
      (coresUsed ? `; cores used: instances ${coresUsed.instances.toFixed(2)}, PostgreSQL ${coresUsed.postgres.toFixed(2)}, Redis ${coresUsed.redis.toFixed(2)}, other ${coresUsed.other.toFixed(2)}` : '') +
      `)${held ? '' : ' — over'}`,
  );
  return result;
}

/** CPU time of all cores so far (os.cpus(), ms): busy and in all. */
function machineCpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.irq + times.idle;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

function busyBetween(before: { busy: number; total: number }, after: { busy: number; total: number }): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

/**
 * Every round the instances reported, checked as they come in: one round per raffle and due
 * time, and per raffle and number, across all instances.
 */
class RoundLedger {
  readonly problems: string[] = [];
  private readonly seen = new Set<string>();
  total = 0;

  constructor(private readonly instances: number) {}

  async collect(workers: Worker[]): Promise<Array<RoundRecord & { instance: number }>> {
    const drained = await Promise.all(workers.map((worker) => worker.call<RoundRecord[]>('drain')));
    const records = drained.flatMap((records, instance) => records.map((record) => ({ ...record, instance })));
    for (const record of records) {
      this.total += 1;
      for (const key of [`${record.raffleId}@${record.dueAt}`, `${record.raffleId}#${record.number}`]) {
        if (this.seen.has(key)) {
          this.problems.push(`capacity ${this.instances} inst.: raffle ${record.raffleId} drew twice (${key.includes('@') ? 'due time' : 'number'} ${key.split(/[@#]/)[1]})`);
        }
        this.seen.add(key);
      }
    }
    return records;
  }
}

/**
 * Waits (at most `limitSeconds`) until every round reported over the last 2 s was drawn within
 * LAG_LIMIT_MS of its due time. Those rounds go through the ledger (checked for doubles) but are
 * not measured.
 */
async function untilCaughtUp(workers: Worker[], ledger: RoundLedger, limitSeconds: number): Promise<boolean> {
  const deadline = Date.now() + limitSeconds * 1000;
  while (Date.now() < deadline) {
    await sleep(2_000);
    const recent = await ledger.collect(workers);
    if (recent.length > 0 && recent.every((record) => record.at - record.dueAt <= LAG_LIMIT_MS)) return true;
  }
  return false;
}

/** The database agrees with the instances: as many rounds as they reported, none ahead of its grid. */
async function checkDatabase(client: pg.Client, ledger: RoundLedger): Promise<string[]> {
  const { rows } = await client.query<{ rounds: number; ahead: number }>(
    `SELECT (SELECT count(*) FROM rounds)::int AS rounds,
            (SELECT count(*) FROM raffles
              WHERE round_count > floor(extract(epoch FROM clock_timestamp() - started_at) / interval_seconds))::int AS ahead`,
  );
  const problems: string[] = [];
  // Rounds of the last moment may commit after the last collect: the database may have a few more.
  if (rows[0]!.rounds < ledger.total) problems.push(`capacity: the instances reported ${ledger.total} rounds, the database has ${rows[0]!.rounds}`);
  if (rows[0]!.ahead > 0) problems.push(`capacity: ${rows[0]!.ahead} raffles have more rounds than slots due since they started`);
  return problems;
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

/** Slots startedAt + k × interval (k ≥ 1) of the running raffles that fall in [from, to) (epoch ms). */
async function slotsDue(client: pg.Client, from: number, to: number): Promise<number> {
  const { rows } = await client.query<{ slots: number }>(
    `SELECT COALESCE(sum(GREATEST(0, ceil(($2::float8 - s) / i) - GREATEST(1, ceil(($1::float8 - s) / i)))), 0)::int AS slots
       FROM (SELECT extract(epoch FROM started_at)::float8 * 1000 AS s, interval_seconds * 1000.0::float8 AS i
               FROM raffles WHERE status = 'RUNNING') grid`,
    [from, to],
  );
  return rows[0]!.slots;
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
         FROM (SELECT id, date_trunc('milliseconds', now() + make_interval(secs => 0.5 + $2::float8 * (row_number() OVER ()) / $1::int)) AS due
                 FROM s) spread)
     SELECT id FROM s`,
    [count, intervalSeconds],
  );
  const streamerIds = rows.map((row) => row.id);
  // Evenly spread, to the millisecond: never more raffles on one due time than the spacing gives.
  const { rows: [clump] } = await client.query<{ largest: number }>(
    `SELECT coalesce(max(n), 0)::int AS largest FROM (SELECT count(*) AS n FROM raffles WHERE streamer_id = ANY($1::text[]) GROUP BY next_round_at) due`,
    [streamerIds],
  );
  const allowed = Math.ceil(count / (intervalSeconds * 1000)) + 1;
  if (clump!.largest > allowed) throw new Error(`capacity: ${clump!.largest} of ${count} new raffles share one due time (at most ${allowed} when spread evenly)`);
  return streamerIds;
}

/** Stops `count` running raffles, spread over the interval (every other due time first). */
async function stopRaffles(client: pg.Client, count: number): Promise<void> {
  await client.query(
    `UPDATE raffles SET status = 'STOPPED', end_reason = 'STOPPED', ended_at = now(), lease_owner = NULL, lease_until = NULL
      WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (ORDER BY started_at) AS n FROM raffles WHERE status = 'RUNNING') ordered
                    ORDER BY n % 2, n LIMIT $1)`,
    [count],
  );
}

/**
 * The scheduler's ceiling: the real scheduler and claim statement in an instance of its own, each
 * round reduced to the statement that moves the raffle on (scheduler-ceiling-worker.ts), raffles
 * at a 1 s interval so the demand is well above what the app's rounds sustain.
 */
async function measureCeiling(context: BenchContext, options: CapacityOptions): Promise<CapacityResult['ceiling']> {
  const databaseUrl = (await context.scratchDatabase())!;
  const worker = spawnWorker(ceilingWorkerFile, { name: 'scheduler-ceiling' });
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    const { concurrency } = await worker.call<{ concurrency: number }>('start', { databaseUrl }, 120_000);
    await client.connect();
    await insertRaffles(client, options.ceilingRaffles, 1);
    await sleep(Math.min(2, options.ceilingSeconds) * 1000); // the first rounds are due within 0.5–1.5 s
    type Count = { rounds: number; sweeps: number; claimed: number };
    const before = await worker.call<Count>('count');
    const from = performance.now();
    await sleep(options.ceilingSeconds * 1000);
    const after = await worker.call<Count>('count');
    const seconds = (performance.now() - from) / 1000;
    const rounds = after.rounds - before.rounds;
    const ceiling = {
      raffles: options.ceilingRaffles,
      demandPerSecond: options.ceilingRaffles,
      roundsPerSecond: round(rounds / seconds, 0),
      sweepsPerRound: rounds > 0 ? round((after.sweeps - before.sweeps) / rounds, 2) : 0,
      concurrency,
      loadAverage: os.loadavg()[0]!,
    };
    context.log(
      `scheduler ceiling (one-statement rounds, concurrency ${concurrency}): ${ceiling.roundsPerSecond} rounds/s for ${ceiling.demandPerSecond}/s due, ` +
        `${ceiling.sweepsPerRound} claims/round (load ${ceiling.loadAverage.toFixed(1)})`,
    );
    return ceiling;
  } finally {
    await client.end().catch(() => {});
    await worker.stop();
  }
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

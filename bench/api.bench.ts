/**
 * The contract's StreamerByGuild under load (autocannon, bounded duration) on one API instance,
 * against two floors: a bare graphql-yoga answering the same query with the same data from memory
 * (the framework floor), and, on PostgreSQL, a bare graphql-yoga sending the very SQL the API sent
 * for it through raw `pg` (floor-pg-yoga-worker.ts; the goal is ≤ ×2 below that one). Runs
 * alternate between the three. Plus the SQL statements one request costs, counted
 * at the pg driver in the API process, for a streamer with 5 and with 200 items (no N+1: equal).
 */
import path from 'node:path';
import autocannon from 'autocannon';
import { contractOperation } from '../test/support/graphql';
import { TEST_API_TOKEN } from '../test/support/test-app';
import type { BenchContext } from './lib/context';
import { spawnWorker, type Worker } from './lib/rpc';
import { round, sleep } from './lib/stats';
import type { RecordedStatement } from './workers/floor-pg-yoga-worker';

export interface ApiOptions {
  /** Streamers with these many items: statements per request are counted for each. */
  itemCounts: number[];
  /** The item counts also put under load (default: all). */
  loadItemCounts?: number[];
  /** Seconds per autocannon run; each side runs `alternations` times. */
  seconds: number;
  alternations: number;
  connections: number;
  /** Seconds of untimed load on each side first (JIT, caches, pools). */
  warmupSeconds: number;
}

export interface LoadFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export interface ApiSizeResult {
  items: number;
  statementsPerRequest: number;
  /** Undefined when this size was not put under load. */
  app: LoadFigures | undefined;
  floor: LoadFigures | undefined;
  /** Bare yoga + the API's SQL through raw pg (undefined without PostgreSQL). */
  pgFloor: LoadFigures | undefined;
  /** Floor requests/s over app requests/s. */
  throughputRatio: number | undefined;
  /** pg floor requests/s over app requests/s. */
  pgThroughputRatio: number | undefined;
  /** App p99 over floor p99. */
  p99Ratio: number | undefined;
}

export interface ApiResult {
  connections: number;
  seconds: number;
  sizes: ApiSizeResult[];
  /** Statements per request do not depend on the number of items. */
  constantStatements: boolean;
  problems: string[];
}

/** The API's pg pool size (src/db/database.ts); the pg floor gets as many connections. */
const API_POOL_SIZE = 10;

const workerFile = (name: string) => new URL(`./workers/${name}`, import.meta.url);

export async function runApi(context: BenchContext, options: ApiOptions): Promise<ApiResult> {
  const databaseUrl = await context.scratchDatabase();
  const api = spawnWorker(workerFile('api-worker.ts'), { name: 'api' });
  const floor = spawnWorker(workerFile('floor-yoga-worker.ts'), { name: 'floor-yoga' });
  const pgFloor = databaseUrl ? spawnWorker(workerFile('floor-pg-yoga-worker.ts'), { name: 'floor-pg-yoga' }) : undefined;
  const problems: string[] = [];
  try {
    // A long scheduler poll: no background statement lands in the counting windows.
    const { url: apiUrl } = await api.call<{ url: string }>(
      'start',
      { databaseUrl, redisUrl: context.redisUrl, countStatements: true, schedulerPollMs: 60_000 },
      120_000,
    );
    const query = contractOperation('StreamerByGuild');
    const guilds = new Map<number, string>();
    const data: Record<string, unknown> = {};
    for (const items of options.itemCounts) {
      const streamer = await api.call<{ guildId: string }>('setupStreamer', { items, stock: 3, chatters: 10 }, 120_000);
      guilds.set(items, streamer.guildId);
      const response = await post(apiUrl, query, { guildId: streamer.guildId });
      if (response.errors || !response.data?.streamerByGuild) throw new Error(`StreamerByGuild failed: ${JSON.stringify(response)}`);
      if (response.data.streamerByGuild.items.length !== items) problems.push(`api: ${items} items expected, got ${response.data.streamerByGuild.items.length}`);
      data[streamer.guildId] = response.data.streamerByGuild;
    }
    const { url: floorUrl } = await floor.call<{ url: string }>('start', { data });
    let pgFloorUrl: string | undefined;
    if (pgFloor) {
      // The SQL of one request, recorded at the pg driver in the API process.
      const [firstGuild] = guilds.values();
      const first = data[firstGuild!] as { id: string };
      await api.call('recordStatements', { on: true });
      await post(apiUrl, query, { guildId: firstGuild! });
      // The recording holds whatever the process sent meanwhile, the scheduler's polls included:
      // keep the statements that name this streamer (by guild, or by id for its relations).
      const recorded = (await api.call<RecordedStatement[]>('recordStatements', { on: false })).filter((statement) =>
        statement.values.some((value) => value === firstGuild || value === first.id),
      );
      const overlayUrls = Object.fromEntries(Object.values(data).map((streamer) => [(streamer as any).id, (streamer as any).overlayUrl]));
      ({ url: pgFloorUrl } = await pgFloor.call<{ url: string }>('start', {
        databaseUrl,
        poolSize: API_POOL_SIZE,
        recorded,
        recordedIds: { guildId: firstGuild!, streamerId: first.id },
        overlayUrls,
      }));
    }
    for (const guildId of guilds.values()) {
      const [fromApp, fromFloor, fromPgFloor] = await Promise.all([
        post(apiUrl, query, { guildId }),
        post(floorUrl, query, { guildId }),
        pgFloorUrl ? post(pgFloorUrl, query, { guildId }) : undefined,
      ]);
      if (JSON.stringify(fromApp) !== JSON.stringify(fromFloor)) problems.push(`api: the floor does not answer what the API answers for guild ${guildId}`);
      if (fromPgFloor && JSON.stringify(fromApp) !== JSON.stringify(fromPgFloor)) {
        problems.push(`api: the pg floor does not answer what the API answers for guild ${guildId}: ${JSON.stringify(fromPgFloor).slice(0, 300)}`);
      }
    }

    const sizes: ApiSizeResult[] = [];
    const statements = new Map<number, number>();
    for (const [items, guildId] of guilds) statements.set(items, await statementsPer(api, () => post(apiUrl, query, { guildId })));
    for (const [items, guildId] of guilds) {
      const statementsPerRequest = statements.get(items)!;
      if (options.loadItemCounts && !options.loadItemCounts.includes(items)) {
        sizes.push({
          items,
          statementsPerRequest,
          app: undefined,
          floor: undefined,
          pgFloor: undefined,
          throughputRatio: undefined,
          pgThroughputRatio: undefined,
          p99Ratio: undefined,
        });
        continue;
      }
      const body = JSON.stringify({ query, variables: { guildId }, operationName: 'StreamerByGuild' });
      const load = (url: string, seconds: number) =>
        autocannon({
          url: `${url}/graphql`,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_API_TOKEN}` },
          body,
          connections: options.connections,
          duration: seconds,
        });
      const urls = { app: apiUrl, floor: floorUrl, pgFloor: pgFloorUrl };
      const sides = (['app', 'floor', 'pgFloor'] as const).filter((side) => urls[side] !== undefined);
      for (const side of sides) await load(urls[side]!, options.warmupSeconds);
      const runs = { app: [] as autocannon.Result[], floor: [] as autocannon.Result[], pgFloor: [] as autocannon.Result[] };
      for (let alternation = 0; alternation < options.alternations; alternation += 1) {
        for (const side of alternation % 2 === 0 ? sides : [...sides].reverse()) {
          runs[side].push(await load(urls[side]!, options.seconds));
          await sleep(200);
        }
      }
      // BENCH_CPU_PROF_DIR: one more run each of the API and the pg floor under a CPU profile (not counted).
      const profileDir = process.env.BENCH_CPU_PROF_DIR;
      if (profileDir) {
        for (const [side, worker] of [['app', api], ['pgFloor', pgFloor]] as const) {
          if (!worker || !urls[side]) continue;
          await worker.call('cpuProfileStart');
          await load(urls[side], options.seconds);
          await worker.call('cpuProfileStop', { file: path.join(profileDir, `api-${items}-${side}.cpuprofile`) });
        }
      }
      const app = figures(runs.app);
      const floorFigures = figures(runs.floor);
      const pgFloorFigures = runs.pgFloor.length > 0 ? figures(runs.pgFloor) : undefined;
      if (pgFloorFigures && pgFloorFigures.errors > 0) problems.push(`api: ${pgFloorFigures.errors} failed requests on the pg floor (${items} items)`);
      if (app.errors > 0) problems.push(`api: ${app.errors} failed requests under load (${items} items)`);
      sizes.push({
        items,
        statementsPerRequest,
        app,
        floor: floorFigures,
        pgFloor: pgFloorFigures,
        throughputRatio: floorFigures.requestsPerSecond / app.requestsPerSecond,
        pgThroughputRatio: pgFloorFigures ? pgFloorFigures.requestsPerSecond / app.requestsPerSecond : undefined,
        p99Ratio: app.p99Ms / floorFigures.p99Ms,
      });
      context.log(
        `api ${items} items: ${round(app.requestsPerSecond)} req/s (p99 ${app.p99Ms} ms) vs floor ${round(floorFigures.requestsPerSecond)} req/s ` +
          `(p99 ${floorFigures.p99Ms} ms)` +
          (pgFloorFigures ? `, pg floor ${round(pgFloorFigures.requestsPerSecond)} req/s (p99 ${pgFloorFigures.p99Ms} ms)` : '') +
          `; ${statementsPerRequest} SQL statements per request`,
      );
    }
    const constantStatements = new Set(sizes.map((size) => size.statementsPerRequest)).size === 1;
    if (!constantStatements) problems.push('api: statements per request grow with the number of items (N+1)');
    return { connections: options.connections, seconds: options.seconds, sizes, constantStatements, problems };
  } finally {
    await Promise.all([api.stop(), floor.stop(), pgFloor?.stop()]);
  }
}

async function post(baseUrl: string, query: string, variables: Record<string, unknown>): Promise<{ data?: any; errors?: unknown }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_API_TOKEN}` },
    body: JSON.stringify({ query, variables, operationName: 'StreamerByGuild' }),
  });
  return (await response.json()) as { data?: any; errors?: unknown };
}

/** Statements per request: the fewest seen over three batches (background work only adds). */
async function statementsPer(api: Worker, request: () => Promise<unknown>): Promise<number> {
  const batch = 10;
  let fewest = Number.POSITIVE_INFINITY;
  await request();
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const before = await api.call<number>('statements');
    for (let index = 0; index < batch; index += 1) await request();
    const after = await api.call<number>('statements');
    fewest = Math.min(fewest, (after - before) / batch);
  }
  return fewest;
}

/** Mean requests/s over the runs; latency percentiles of the worse run (ms). */
function figures(runs: autocannon.Result[]): LoadFigures {
  const requests = runs.reduce((sum, run) => sum + run.requests.average, 0) / runs.length;
  return {
    requestsPerSecond: requests,
    p50Ms: Math.max(...runs.map((run) => run.latency.p50)),
    p99Ms: Math.max(...runs.map((run) => run.latency.p99)),
    errors: runs.reduce((sum, run) => sum + run.errors + run.timeouts + run.non2xx, 0),
  };
}

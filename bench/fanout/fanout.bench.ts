/**
 * Winner fan-out: N graphql-ws subscribers to the contract's WinnerDrawn (RoundFields), spread over
 * two API instances joined by Redis; latency from the round's commit (stamped in the drawing
 * instance when the round runner publishes) to each client's receipt, and server memory per
 * subscription. Floor, in the same run and interleaved event by event: two bare `ws` servers
 * (Redis-joined the same way) sending the same JSON bytes to N sockets.
 *
 * Memory per subscription is the heap (after GC) each side grows by from a warm baseline to all N
 * sockets subscribed, over N. Both sides are warmed first with the same burst of probe sockets
 * (per instance a tenth of the fleet, at most the fleets' connect concurrency of 64; see runSize),
 * so one-time instance costs (the database pool filling up, caches) are not counted as
 * per-subscription memory.
 */
import path from 'node:path';
import { contractOperation } from '../../test/support/graphql';
import { benchEncryptionKey } from '../lib/bench-app';
import { TEST_API_TOKEN } from '../../test/support/test-app';
import type { BenchContext } from '../lib/context';
import { spawnWorker, type Worker } from '../lib/rpc';
import { round, sleep, summarize, type Summary } from '../lib/stats';
import type { FleetSpec } from '../workers/ws-client-worker';

export interface FanoutOptions {
  sizes: number[];
  /** Measured events per size (each side). */
  events: number;
  clientProcesses: number;
}

export interface FanoutResult {
  subscribers: number;
  instances: number;
  events: number;
  app: Summary;
  floor: Summary;
  ratioP50: number;
  ratioP99: number;
  /** Server memory per subscription, bytes: API instances and bare ws servers, heap and RSS. */
  memory: { appHeap: number; appRss: number; floorHeap: number; floorRss: number };
  problems: string[];
}

type Memory = { heapUsed: number; rss: number };
type ConnectOutcome = { connected: number; failed: number; firstErrors: string[] };
type Collected = { arrivals: Record<string, number[]>; errors: string[]; closes: string[]; unexpectedCloses: number; sample?: string };

/** Sockets each client process opens at once. */
const CONNECT_CONCURRENCY = 64;

const workerFile = (name: string) => new URL(`../workers/${name}`, import.meta.url);

export async function runFanout(context: BenchContext, options: FanoutOptions): Promise<FanoutResult[]> {
  const databaseUrl = await context.scratchDatabase();
  const twoInstances = Boolean(databaseUrl && context.redisUrl);
  // One TOKEN_ENCRYPTION_KEY for every instance on this database (overlay keys are sealed and
  // looked up with it), as in production.
  const encryptionKey = benchEncryptionKey();
  const query = contractOperation('WinnerDrawn');
  const clients = Array.from({ length: options.clientProcesses }, (_, index) =>
    spawnWorker(workerFile('ws-client-worker.ts'), { name: `clients-${index}` }),
  );
  const results: FanoutResult[] = [];
  try {
    for (const size of options.sizes) {
      context.log(`fan-out: ${size} subscribers`);
      results.push(await runSize(context, { size, databaseUrl, encryptionKey, twoInstances, query, clients, events: options.events }));
      const last = results.at(-1)!;
      context.log(
        `fan-out ${size}: p99 ${round(last.app.p99)} ms vs floor ${round(last.floor.p99)} ms (×${round(last.ratioP99)}), ` +
          `${round(last.memory.appRss / 1024, 1)} KB RSS / ${round(last.memory.appHeap / 1024, 1)} KB heap per subscription`,
      );
    }
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
  }
  return results;
}

interface SizeRun {
  size: number;
  databaseUrl: string | undefined;
  encryptionKey: string;
  twoInstances: boolean;
  query: string;
  clients: Worker[];
  events: number;
}

async function runSize(context: BenchContext, run: SizeRun): Promise<FanoutResult> {
  const problems: string[] = [];
  const instanceCount = run.twoInstances ? 2 : 1;
  const apis: Worker[] = [];
  const floors: Worker[] = [];
  try {
    // Fresh processes per size, so memory deltas start from a clean, warm baseline.
    for (let index = 0; index < instanceCount; index += 1) {
      apis.push(spawnWorker(workerFile('api-worker.ts'), { name: `api-${index}` }));
      floors.push(spawnWorker(workerFile('bare-ws-worker.ts'), { name: `floor-${index}` }));
    }
    const [apiStarts, floorStarts] = await Promise.all([
      Promise.all(apis.map((api) => api.call<{ url: string }>(
          'start',
          { databaseUrl: run.databaseUrl, redisUrl: context.redisUrl, encryptionKey: run.encryptionKey },
          120_000,
        ),
      )),
      Promise.all(floors.map((floor) => floor.call<{ url: string }>('start', { redisUrl: context.redisUrl }))),
    ]);
    const apiUrls = apiStarts.map((started) => `${started.url.replace(/^http/, 'ws')}/graphql`);
    const floorUrls = floorStarts.map((started) => started.url);
    const drawer = apis[0]!;
    const streamer = await drawer.call<{ streamerId: string; overlayKey: string; raffleId: string }>(
      'setupStreamer',
      { items: 20, stock: 1_000, chatters: 20_000 },
      120_000,
    );
    // Overlay pages (overlay key) and the bot (service token) subscribe alike: 9 in 10 overlays.
    const paramsCycle = [
      ...Array.from({ length: 9 }, () => ({ overlayKey: streamer.overlayKey })),
      { authorization: `Bearer ${TEST_API_TOKEN}` },
    ];
    const variables = { streamerId: streamer.streamerId };
    const drawRound = () => drawer.call<{ roundId: string; committedAt: number }>('draw', { raffleId: streamer.raffleId });

    // Warm every instance (code paths, caches, the database pool) before the baseline: one burst of
    // probe sockets (up to the fleets' connect concurrency) and one round, then close them. The fleet's
    // first connects would otherwise also pay the instance's one-time costs (each overlay key is
    // looked up on connect, so the pg pool grows to its 10 connections, Prisma fills its caches)
    // and the heap per subscription at 1k counted them (~1.5 KB). The floor gets the same burst.
    const probe = run.clients[0]!;
    // A tenth of the fleet, at most the concurrency: smoke runs stay short.
    const probeCount = apiUrls.length * Math.min(CONNECT_CONCURRENCY, Math.ceil(run.size / 10));
    const probeConnect = await probe.call<ConnectOutcome>('connect', fleetSpec('probe', apiUrls, probeCount, run.query, variables, paramsCycle));
    if (probeConnect.failed > 0) {
      throw new Error(`warm-up: ${probeConnect.failed}/${probeCount} probe sockets failed to connect: ${probeConnect.firstErrors.join('; ')}`);
    }
    // A round drawn before a subscription's listener is registered is not delivered live (clients
    // catch up with roundsSince): draw again until every probe socket got one.
    let probeComplete = false;
    let probeReceived = 0;
    for (let attempt = 0; attempt < 5 && !probeComplete; attempt += 1) {
      const probeRound = await drawRound();
      ({ complete: probeComplete, received: probeReceived } = await waitForArrivals([probe], 'probe', probeRound.roundId, probeCount, 5_000));
    }
    const probeResult = await probe.call<Collected>('collect', { fleet: 'probe' });
    await probe.call('close', { fleet: 'probe' });
    if (!probeComplete || !probeResult.sample) {
      const why = [...probeResult.errors, ...probeResult.closes];
      throw new Error(
        `warm-up round not received: ${probeReceived}/${probeCount} probe sockets got it; ` +
          (why.length > 0 ? `server said: ${why.join('; ')}` : 'no error message and no close from the server'),
      );
    }
    const floorProbe = await probe.call<ConnectOutcome>('connect', fleetSpec('probe-floor', floorUrls, probeCount, run.query, variables, [{}]));
    if (floorProbe.failed > 0) throw new Error(`warm-up: ${floorProbe.failed}/${probeCount} floor probe sockets failed to connect`);
    await probe.call('close', { fleet: 'probe-floor' });
    const sample = probeResult.sample;
    const floorText = (id: string) => sample.replace(/("winnerDrawn":\{"id":")[^"]+"/, `$1${id}"`);
    await sleep(200);
    const appBefore = await Promise.all(apis.map((api) => api.call<Memory>('memory')));
    const floorBefore = await Promise.all(floors.map((floor) => floor.call<Memory>('memory')));

    // Connect both fleets, each socket alternating between the instances.
    const perClient = split(run.size, run.clients.length);
    const connectAll = async (fleet: string, urls: string[], cycle: Array<Record<string, unknown>>) => {
      const outcomes = await Promise.all(
        run.clients.map((client, index) =>
          client.call<ConnectOutcome>(
            'connect',
            fleetSpec(fleet, urls, perClient[index]!, run.query, variables, cycle),
            300_000,
          ),
        ),
      );
      const failed = outcomes.reduce((sum, outcome) => sum + outcome.failed, 0);
      if (failed > 0) problems.push(`${fleet}: ${failed} sockets failed to connect (${outcomes.flatMap((o) => o.firstErrors).join('; ')})`);
    };
    const connectStarted = performance.now();
    // BENCH_HEAP_PROF_DIR: a sampling heap profile of each API instance and each floor server over
    // the connections and warm-up (what each subscription keeps alive), to compare side by side.
    const heapDir = process.env.BENCH_HEAP_PROF_DIR;
    if (heapDir) await Promise.all([...apis, ...floors].map((worker) => worker.call('heapProfileStart')));
    await connectAll('app', apiUrls, paramsCycle);
    await connectAll('floor', floorUrls, [{}]);
    context.log(`  ${run.size} + ${run.size} sockets connected in ${round((performance.now() - connectStarted) / 1000, 1)} s`);

    // Warm-up events until every socket got one: then every subscription is registered.
    const warm = async (fleet: string, trigger: () => Promise<string>) => {
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        const id = await trigger();
        const wait = await waitForArrivals(run.clients, fleet, id, run.size, 30_000);
        if (wait.complete) return;
        if (attempt === 5) problems.push(`${fleet}: only ${wait.received}/${run.size} sockets received the warm-up event`);
      }
    };
    let floorSequence = 0;
    const floorBroadcast = async () => {
      const id = `F${++floorSequence}`;
      const committedAt = await floors[0]!.call<number>('broadcast', { text: floorText(id) });
      return { roundId: id, committedAt };
    };
    await warm('app', async () => (await drawRound()).roundId);
    await warm('floor', async () => (await floorBroadcast()).roundId);
    for (const fleet of ['app', 'floor']) await Promise.all(run.clients.map((client) => client.call('collect', { fleet })));
    if (heapDir) {
      const profiled = [...apis.map((worker, index) => ({ worker, name: `api-${index}` })), ...floors.map((worker, index) => ({ worker, name: `floor-${index}` }))];
      await Promise.all(
        profiled.map(({ worker, name }) => worker.call('heapProfileStop', { file: path.join(heapDir, `fanout-${run.size}-${name}.heapprofile`) }, 120_000)),
      );
    }
    await sleep(300);
    const appAfter = await Promise.all(apis.map((api) => api.call<Memory>('memory')));
    const floorAfter = await Promise.all(floors.map((floor) => floor.call<Memory>('memory')));
    const heapGrowth = (after: Memory[], before: Memory[]) => after.map((memory, index) => `${round((memory.heapUsed - before[index]!.heapUsed) / 1024 / 1024, 2)} MiB`).join(' + ');
    context.log(`  heap growth per instance: app ${heapGrowth(appAfter, appBefore)}, floor ${heapGrowth(floorAfter, floorBefore)}`);

    // BENCH_CPU_PROF_DIR: a CPU profile of each API instance over the measured events.
    const profileDir = process.env.BENCH_CPU_PROF_DIR;
    if (profileDir) await Promise.all(apis.map((api) => api.call('cpuProfileStart')));
    // Measured events, floor and app interleaved so both see the same machine load.
    const stamps = { app: new Map<string, number>(), floor: new Map<string, number>() };
    for (let event = 0; event < run.events; event += 1) {
      for (const [fleet, trigger] of [
        ['floor', floorBroadcast],
        ['app', drawRound],
      ] as const) {
        const { roundId, committedAt } = await trigger();
        stamps[fleet].set(roundId, committedAt);
        const wait = await waitForArrivals(run.clients, fleet, roundId, run.size, 30_000);
        if (!wait.complete) problems.push(`${fleet}: event ${roundId} reached ${wait.received}/${run.size} sockets`);
        await sleep(100);
      }
    }
    if (profileDir) {
      await Promise.all(
        apis.map((api, index) => api.call('cpuProfileStop', { file: path.join(profileDir, `fanout-${run.size}-api-${index}.cpuprofile`) })),
      );
    }
    const latencies = { app: [] as number[], floor: [] as number[] };
    for (const fleet of ['app', 'floor'] as const) {
      for (const client of run.clients) {
        const collected = await client.call<Collected>('collect', { fleet });
        for (const [id, arrivals] of Object.entries(collected.arrivals)) {
          const committedAt = stamps[fleet].get(id);
          if (committedAt === undefined) continue;
          for (const arrival of arrivals) latencies[fleet].push(arrival - committedAt);
        }
        if (collected.errors.length > 0) problems.push(`${fleet}: error messages, e.g. ${collected.errors[0]}`);
        if (collected.unexpectedCloses > 0) {
          problems.push(`${fleet}: ${collected.unexpectedCloses} sockets closed by the server, e.g. ${collected.closes[0] ?? '?'}`);
        }
      }
      await Promise.all(run.clients.map((client) => client.call('close', { fleet }, 120_000)));
    }
    const delta = (after: Memory[], before: Memory[], key: keyof Memory) =>
      after.reduce((sum, memory, index) => sum + memory[key] - before[index]![key], 0) / run.size;
    const app = summarize(latencies.app);
    const floor = summarize(latencies.floor);
    return {
      subscribers: run.size,
      instances: instanceCount,
      events: run.events,
      app,
      floor,
      ratioP50: app.p50 / floor.p50,
      ratioP99: app.p99 / floor.p99,
      memory: {
        appHeap: delta(appAfter, appBefore, 'heapUsed'),
        appRss: delta(appAfter, appBefore, 'rss'),
        floorHeap: delta(floorAfter, floorBefore, 'heapUsed'),
        floorRss: delta(floorAfter, floorBefore, 'rss'),
      },
      problems,
    };
  } finally {
    await Promise.all([...apis, ...floors].map((worker) => worker.stop()));
  }
}

function fleetSpec(
  fleet: string,
  urls: string[],
  count: number,
  query: string,
  variables: Record<string, unknown>,
  paramsCycle: Array<Record<string, unknown>>,
): FleetSpec {
  return { fleet, urls, count, query, variables, paramsCycle, concurrency: CONNECT_CONCURRENCY };
}

function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, index) => Math.floor(total / parts) + (index < total % parts ? 1 : 0));
}

async function waitForArrivals(clients: Worker[], fleet: string, id: string, expected: number, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  let received = 0;
  for (;;) {
    const counts = await Promise.all(clients.map((client) => client.call<number[]>('counts', { fleet, ids: [id] })));
    received = counts.reduce((sum, [count]) => sum + (count ?? 0), 0);
    if (received >= expected) return { complete: true, received };
    if (performance.now() > deadline) return { complete: false, received };
    await sleep(received === 0 ? 10 : 25);
  }
}

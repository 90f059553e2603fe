import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { describeWith } from '../support/describe-with';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute, subscribe } from '../support/graphql';
import { redisAnswers } from '../support/services';
import { allRounds, freePort, startCluster, until, type Cluster } from './realtime-support';

/** A master of a throw-away three-master Redis Cluster, in its own directory (nodes.conf survives a restart). */
class ClusterNode {
  private process: ChildProcess | undefined;
  constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', '1000', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.process = child;
    await until(`cluster node ${this.port}`, () => redisAnswers('127.0.0.1', this.port), 10_000);
  }

  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }

  /** One command on this node alone (not routed). */
  async ask(...command: [string, ...Array<string | number>]): Promise<unknown> {
    const redis = new Redis({ host: '127.0.0.1', port: this.port, lazyConnect: true, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    try {
      await redis.connect();
      return await redis.call(...command);
    } finally {
      redis.disconnect();
    }
  }
}

async function startRedisCluster(): Promise<{ nodes: ClusterNode[]; stop(): Promise<void> }> {
  const root = await mkdtemp(path.join(tmpdir(), 'kinoyu-redis-cluster-'));
  const nodes: ClusterNode[] = [];
  const stop = async () => {
    for (const node of nodes) await node.kill();
    await rm(root, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < 3; index += 1) {
      const dir = await mkdtemp(path.join(root, `node-${index}-`));
      const node = new ClusterNode(await freePort(), dir);
      await node.start();
      nodes.push(node);
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes.map((node) => node.address), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await clusterOk(nodes);
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, stop };
}

async function clusterOk(nodes: ClusterNode[]): Promise<void> {
  await until(
    'cluster_state:ok on every node',
    async () => {
      for (const node of nodes) if (!/cluster_state:ok/.test(String(await node.ask('CLUSTER', 'INFO')))) return false;
      return true;
    },
    30_000,
    200,
  );
}

/** Subscribers of a sharded channel (SSUBSCRIBE) and of a classic one (SUBSCRIBE), over all nodes. */
async function subscribersOf(nodes: ClusterNode[], channel: string): Promise<{ sharded: number; classic: number; owner?: ClusterNode }> {
  let sharded = 0;
  let classic = 0;
  let owner: ClusterNode | undefined;
  for (const node of nodes) {
    const [, shardCount] = (await node.ask('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
    const [, count] = (await node.ask('PUBSUB', 'NUMSUB', channel)) as [string, number];
    if (Number(shardCount) > 0) owner = node;
    sharded += Number(shardCount);
    classic += Number(count);
  }
  return { sharded, classic, owner };
}

describeWith({ postgres: true, redisServerBinary: true }, 'Redis Cluster (three masters, sharded pub/sub)', ({ postgresUrl }) => {
  let redis: Awaited<ReturnType<typeof startRedisCluster>>;
  let cluster: Cluster;
  beforeAll(async () => {
    redis = await startRedisCluster();
    const [first, second, third] = redis.nodes;
    // A: REDIS_URL naming one node (found to be a cluster at start); B: REDIS_CLUSTER_NODES.
    cluster = await startCluster({
      postgresUrl,
      redisUrl: `redis://${first!.address}`,
      count: 2,
      envFor: (index): Record<string, string> =>
        index === 1 ? { REDIS_URL: '', REDIS_CLUSTER_NODES: `${second!.address},redis://${third!.address}` } : {},
    });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
    await redis?.stop();
  });

  it('delivers a win drawn on A to a subscriber on B over a sharded channel; after its master restarts no win is lost for a client catching up by id', async () => {
    const [a, b] = cluster.apps;
    const streamer = await createStreamer(a!.url);
    cluster.chatters.set(streamer.id, generateViewers(50));
    await addItems(a!.url, streamer.id, [{ name: 'mug', weight: 1, stock: 100 }]);
    const raffle = await startRaffle(a!.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const channel = `winnerDrawn:${streamer.id}`;

    const subscription = await subscribe(b!.url, contractOperation('WinnerDrawn'), { streamerId: streamer.id });
    const received = new Set<string>();
    const pump = (async () => {
      for (;;) {
        const event = await subscription.next(600_000).catch(() => undefined);
        if (!event) return;
        received.add(event.winnerDrawn.id);
      }
    })();
    try {
      const live = await until('B subscribed to the sharded channel', async () => {
        const counts = await subscribersOf(redis.nodes, channel);
        return counts.sharded >= 1 ? counts : undefined;
      });
      // Sharded pub/sub: SSUBSCRIBE on the slot's master, no classic SUBSCRIBE anywhere.
      expect(live.classic).toBe(0);
      const draw = async () => {
        const drawn = await a!.services.rounds.run(raffle.id, { force: true });
        if (drawn.kind !== 'round') throw new Error(`no round: ${drawn.kind}`);
        return String(drawn.round.id);
      };
      const first = await draw();
      await until('the first win on B', () => received.has(first), 10_000, 25);

      // Restart the master that holds the channel's slot.
      const owner = live.owner!;
      await owner.kill();
      const whileDown = await draw();
      await owner.start();
      await clusterOk(redis.nodes);
      await until('B subscribed again after the restart', async () => (await subscribersOf(redis.nodes, channel)).sharded >= 1, 30_000, 200);
      const afterRestart = await draw();
      // Live delivery works again after the restart.
      await until('a win drawn after the restart on B', () => received.has(afterRestart), 20_000, 25);

      // A client that catches up by id (roundsSince after the first win it saw) has every win.
      const { roundsSince } = await execute(
        b!.url,
        `query($streamerId: ID!, $after: ID) { roundsSince(streamerId: $streamerId, afterRoundId: $after, onlyWinners: true) { id } }`,
        { streamerId: streamer.id, after: first },
      );
      const caughtUp = new Set([...received, ...roundsSince.map((round: { id: string }) => round.id)]);
      const wins = (await allRounds(a!.url, raffle.id)).rounds.filter((round) => round.outcome === 'WINNER').map((round) => round.id);
      expect(wins).toEqual([first, whileDown, afterRestart]);
      for (const id of wins) expect(caughtUp.has(id), `win ${id}`).toBe(true);
      console.info(
        `[redis-cluster] master ${owner.address} restarted; the win drawn meanwhile ${received.has(whileDown) ? 'also arrived live' : 'came by roundsSince'}`,
      );
    } finally {
      await subscription.return();
      await pump;
    }
  }, 120_000);
});

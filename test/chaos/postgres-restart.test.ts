import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers, InMemoryChatterSource } from '../../src/chatters/in-memory-chatter-source';
import { brokenInvariants } from '../fuzz/invariants';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, request } from '../support/graphql';
import { realRedisUrl } from '../support/services';
import { startTestApp, type TestApp } from '../support/test-app';
import { clusterUnavailableReason, ThrowAwayPostgres } from './postgres-cluster';

const unavailable = clusterUnavailableReason();
const redisUrl = await realRedisUrl();
const title = (name: string) => (unavailable ? `${name} [SKIPPED: ${unavailable}]` : name);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** One query on a new connection (the server may have just come back). */
async function queryOnce<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

describe.skipIf(unavailable !== null)(title('chaos: PostgreSQL restarts under three app instances mid-raffle'), () => {
  let postgres: ThrowAwayPostgres | undefined;
  const apps: TestApp[] = [];
  let databaseUrl: string;

  beforeAll(async () => {
    postgres = await ThrowAwayPostgres.create();
    await queryOnce(postgres.url(), 'CREATE DATABASE chaos');
    databaseUrl = postgres.url('chaos');
    const chatters = new InMemoryChatterSource();
    for (let index = 0; index < 3; index += 1) {
      apps.push(
        await startTestApp({
          databaseUrl,
          instanceId: `chaos-${index}`,
          chatterSource: chatters,
          // Real Redis when there is one; otherwise in-process pub/sub (rounds live in the database).
          env: redisUrl ? { REDIS_URL: redisUrl } : {},
        }),
      );
    }
  });

  afterAll(async () => {
    for (const app of apps) await app.stop().catch(() => {});
    postgres?.remove();
  });

  it('loses no round and writes none twice; the raffle resumes after the restart', async () => {
    const [first] = apps;
    const streamer = await createStreamer(first!.url);
    (first!.chatters as InMemoryChatterSource).set(streamer.id, generateViewers(500));
    await addItems(first!.url, streamer.id, [
      { name: 'sticker', weight: 5, stock: 5_000 },
      { name: 'poster', weight: 1, stock: 1_000 },
    ]);
    const raffle = await startRaffle(first!.url, { streamerId: streamer.id, intervalSeconds: 1 });
    const roundCount = async () =>
      (await queryOnce<{ n: number }>(databaseUrl, 'SELECT count(*)::int AS n FROM rounds WHERE raffle_id = $1', [raffle.id]))[0]!.n;

    // Every instance draws as fast as it can (plus the schedulers every second), so round
    // transactions are in flight on all three when the server goes down.
    let driving = true;
    const answers = { round: 0, error: 0, failed: 0 };
    // Rounds an instance answered as drawn: each must be in the database afterwards, as answered.
    const acknowledged = new Map<number, string>();
    const drivers = apps.map(async (app) => {
      while (driving) {
        const response = await request(app.url, contractOperation('DrawRound'), { raffleId: raffle.id }).catch(() => undefined);
        if (response?.data?.drawRound?.__typename === 'Round') {
          answers.round += 1;
          acknowledged.set(response.data.drawRound.number, response.data.drawRound.id);
        }
        else if (response?.data?.drawRound) answers.error += 1;
        else answers.failed += 1;
        await sleep(20);
      }
    });

    try {
      await until('10 rounds before the restart', async () => (await roundCount()) >= 10, 20_000);
      const beforeRestart = await roundCount();
      const restartAt = Date.now();
      postgres!.restart();
      const restarted = Date.now();
      const before = await roundCount();
      const backAt = Date.now();
      // The raffle resumes by itself: more rounds on the same raffle after the restart.
      await until('10 rounds after the restart', async () => (await roundCount()) >= before + 10, 25_000);
      const resumedAt = Date.now();
      driving = false;
      await Promise.all(drivers);
      // Let the schedulers' rounds in flight commit before counting.
      await sleep(300);

      const rounds = await queryOnce<{ id: string; number: number; outcome: string; item_id: string | null; winner_user_id: string | null }>(
        databaseUrl,
        'SELECT id::text AS id, number, outcome::text AS outcome, item_id, winner_user_id FROM rounds WHERE raffle_id = $1 ORDER BY number',
        [raffle.id],
      );
      // Gapless and unique: round n is the n-th round, none lost, none written twice.
      expect(rounds.map((round) => round.number)).toEqual(rounds.map((_, index) => index + 1));
      const stored = new Map(rounds.map((round) => [round.number, round.id]));
      for (const [number, id] of acknowledged) expect(stored.get(number), `round ${number} was answered as drawn`).toBe(id);
      const wins = rounds.filter((round) => round.outcome === 'WINNER');
      expect(wins.length).toBeGreaterThan(0);
      const [taken] = await queryOnce<{ taken: number }>(databaseUrl, 'SELECT sum(stock - remaining)::int AS taken FROM items WHERE streamer_id = $1', [streamer.id]);
      expect(taken!.taken).toBe(wins.length);
      const [state] = await queryOnce<{ status: string; round_count: number }>(databaseUrl, 'SELECT status::text AS status, round_count FROM raffles WHERE id = $1', [raffle.id]);
      expect(state).toEqual({ status: 'RUNNING', round_count: rounds.length });
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        expect(await brokenInvariants(async (sql) => (await client.query(sql)).rows)).toEqual([]);
      } finally {
        await client.end();
      }
      for (const app of apps) expect((await fetch(`${app.url}/ready`)).status).toBe(200);

      console.info(
        `[postgres-restart] pg_ctl restart -m fast took ${restarted - restartAt} ms (server down and up again); ` +
          `${beforeRestart} rounds counted just before the restart, ${before} once it was back (+${backAt - restartAt} ms), ${rounds.length - before} after, ` +
          `10 more rounds ${resumedAt - restartAt} ms after the restart began; ${wins.length} WINNER rounds = ${taken!.taken} stock units taken; ` +
          `drawRound answers: ${answers.round} rounds, ${answers.error} typed errors, ${answers.failed} failed during the outage; pub/sub: ${redisUrl ? 'Redis' : 'in-process'}`,
      );
    } finally {
      driving = false;
      await Promise.all(drivers);
    }
  }, 55_000);
});

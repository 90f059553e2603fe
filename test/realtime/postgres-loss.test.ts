import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { describeWith } from '../support/describe-with';
import { availableServices } from '../support/services';
import { startTestApp, type TestApp } from '../support/test-app';
import { until } from './realtime-support';

/** With Redis when there is one (as in production); the behaviour under test is PostgreSQL's. */
const { redisUrl } = availableServices();

/** The database-level invariants of rounds: all or nothing per round. */
async function checkInvariants(db: pg.Client, raffleId: string, streamerId: string) {
  const { rows: rounds } = await db.query<{ number: number; outcome: string; item_id: string | null; winner_user_id: string | null }>(
    'SELECT number, outcome::text AS outcome, item_id, winner_user_id FROM rounds WHERE raffle_id = $1 ORDER BY number',
    [raffleId],
  );
  expect(rounds.map((round) => round.number)).toEqual(rounds.map((_, index) => index + 1));
  const { rows: raffles } = await db.query<{ round_count: number }>('SELECT round_count FROM raffles WHERE id = $1', [raffleId]);
  expect(raffles[0]!.round_count).toBe(rounds.length);
  const wins = rounds.filter((round) => round.outcome === 'WINNER');
  for (const win of wins) {
    expect(win.item_id).not.toBeNull();
    expect(win.winner_user_id).not.toBeNull();
  }
  const { rows: items } = await db.query<{ id: string; taken: number }>(
    'SELECT id, stock - remaining AS taken FROM items WHERE streamer_id = $1',
    [streamerId],
  );
  // Every WINNER round took exactly one copy of its item, and nothing else took any.
  for (const item of items) {
    expect(item.taken).toBe(wins.filter((win) => win.item_id === item.id).length);
  }
  return rounds.length;
}

describeWith({ postgres: true }, 'PostgreSQL connections lost during a round', () => {
  let api: TestApp;
  let db: pg.Client;
  let databaseName: string;
  beforeAll(async () => {
    api = await startTestApp({ env: { ...(redisUrl ? { REDIS_URL: redisUrl } : {}) } });
    databaseName = new URL(api.databaseUrl!).pathname.slice(1);
    db = new pg.Client({ connectionString: api.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await api?.stop();
  });

  it('writes a round fully or not at all, and the raffle continues once the database answers', async () => {
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(200));
    await addItems(api.url, streamer.id, [
      { name: 'cap', weight: 1, stock: 100 },
      { name: 'scarf', weight: 1, stock: 100 },
    ]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 1 });
    const roundCount = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM rounds WHERE raffle_id = $1', [raffle.id])).rows[0]!.n;
    await until('the first rounds', async () => (await roundCount()) >= 2);

    // Hold the item rows, so the next round's transaction stops half-way: raffle row locked,
    // prize drawn, waiting to decrement the stock. Then cut every connection of the app.
    await db.query('BEGIN');
    await db.query('SELECT id FROM items WHERE streamer_id = $1 FOR UPDATE', [streamer.id]);
    // The app's backend that holds the raffle row (FOR UPDATE: RowShareLock on raffles) and waits
    // for our transaction: the round transaction, stopped half-way.
    await until(
      'a round transaction blocked half-way on the item rows',
      async () => {
        const { rows } = await db.query<{ pid: number }>(
          `SELECT waiting.pid FROM pg_locks waiting
             JOIN pg_stat_activity activity ON activity.pid = waiting.pid
            WHERE activity.datname = $1 AND waiting.locktype = 'transactionid' AND NOT waiting.granted
              AND EXISTS (SELECT 1 FROM pg_locks held
                           WHERE held.pid = waiting.pid AND held.granted
                             AND held.relation = 'raffles'::regclass AND held.mode = 'RowShareLock')`,
          [databaseName],
        );
        return rows[0];
      },
      20_000,
      25,
    );
    const beforeCut = await roundCount();
    const cutAt = Date.now();
    const { rows: cut } = await db.query<{ terminated: boolean }>(
      `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [databaseName],
    );
    expect(cut.length).toBeGreaterThan(0);
    await db.query('ROLLBACK');

    // The interrupted round left nothing behind, and the raffle goes on by itself.
    expect(await roundCount()).toBe(beforeCut);
    await until('the next round after the cut', async () => (await roundCount()) > beforeCut, 30_000, 25);
    const recoveryMs = Date.now() - cutAt;
    await until('three more rounds after the connections were cut', async () => (await roundCount()) >= beforeCut + 3, 30_000, 100);
    await checkInvariants(db, raffle.id, streamer.id);

    // A second, blind cut while rounds run (no lock: wherever the app happens to be).
    for (let cutNumber = 0; cutNumber < 5; cutNumber += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(Math.random() * 400)));
      await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [databaseName]);
    }
    const afterCuts = await roundCount();
    await until('rounds again after the blind cuts', async () => (await roundCount()) >= afterCuts + 2, 30_000, 100);
    const total = await checkInvariants(db, raffle.id, streamer.id);
    expect((await fetch(`${api.url}/ready`)).status).toBe(200);
    console.info(`[postgres-loss] next round ${recoveryMs} ms after the cut mid-transaction (interval 1 s); ${total} rounds, all complete, after that cut and five blind cuts`);
  }, 120_000);
});

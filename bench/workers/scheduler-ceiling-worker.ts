/**
 * The scheduler alone, for the capacity bench's ceiling: the real RaffleScheduler and claim
 * statement on the bench's database, with a round reduced to the one statement that moves a
 * raffle on (next slot of its grid, round count + 1, lease cleared, only under the claim's token).
 * What it sustains is the most rounds per second scheduling lets one instance run, whatever a
 * round costs; the app's own figure is that minus the rounds' work.
 */
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/config';
import { openDatabase, type Database } from '../../src/db/database';
import { migrate } from '../../src/db/migrate';
import { RaffleScheduler } from '../../src/raffles/raffle-scheduler';
import type { RoundResult } from '../../src/raffles/round-runner';
import { serveRpc } from '../lib/rpc';

let database: Database | undefined;
let scheduler: RaffleScheduler | undefined;
let rounds = 0;
const silent = pino({ level: 'silent' });

serveRpc({
  /** SCHEDULER_CONCURRENCY as the API instances get it (the app's default, or BENCH_SCHEDULER_CONCURRENCY). */
  async start({ databaseUrl }: { databaseUrl: string }) {
    const concurrency = loadConfig({ NODE_ENV: 'test', SCHEDULER_CONCURRENCY: process.env.BENCH_SCHEDULER_CONCURRENCY }).raffle.schedulerConcurrency;
    database = await openDatabase({ database: { url: databaseUrl } } as Pick<Config, 'database'>);
    const runner = await database.openSqlRunner();
    await migrate(runner, silent).finally(() => runner.close());
    const db = database.prisma;
    scheduler = new RaffleScheduler(
      db,
      {
        async runClaimed(raffleId, token): Promise<RoundResult> {
          const moved = await db.$queryRaw<{ number: number; at: Date }[]>`
            UPDATE raffles
               SET round_count = round_count + 1, lease_owner = NULL, lease_until = NULL,
                   next_round_at = next_round_at + make_interval(secs => interval_seconds *
                     GREATEST(1, ceil(extract(epoch FROM clock_timestamp() - next_round_at) / interval_seconds)))
             WHERE id = ${raffleId} AND lease_owner = ${token}
            RETURNING round_count AS number, clock_timestamp() AS at`;
          if (moved.length === 0) return { kind: 'not-claimed' };
          return { kind: 'round', round: moved[0] as never, raffle: undefined as never };
        },
      },
      undefined,
      { instanceId: 'ceiling', leaseSeconds: 15, pollMs: 500, concurrency, onRound: () => (rounds += 1) },
      silent,
    );
    scheduler.start();
    return { concurrency };
  },

  /** Rounds run, claim statements and raffles claimed since start. */
  count() {
    const { sweeps, claimed } = scheduler!.stats();
    return { rounds, sweeps, claimed };
  },

  async exit() {
    await scheduler?.stop();
    await database?.close();
    setTimeout(() => process.exit(0), 20);
  },
});

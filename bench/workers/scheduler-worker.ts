/**
 * One KinoYu API instance for the capacity bench, in its own process: the real createApp on the
 * bench's database and Redis, its scheduler running every raffle due. It records each scheduled
 * round (raffle, number, due / claim / round times from the database clock, its wait in the queue) for the orchestrator,
 * which decides what falls in its window and checks that no round was drawn twice.
 */
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { startBenchApp, type BenchApp } from '../lib/bench-app';
import { serveRpc } from '../lib/rpc';

/** A scheduled round as this instance ran it; times are epoch ms, database clock. */
export interface RoundRecord {
  raffleId: string;
  number: number;
  dueAt: number;
  claimedAt: number;
  /** Process clock: how long the claim waited in the instance's queue. */
  queuedMs: number;
  at: number;
}

let app: BenchApp | undefined;
let rounds: RoundRecord[] = [];
const viewers = generateViewers(50);

serveRpc({
  async start({ databaseUrl, redisUrl, encryptionKey, pollMs }: { databaseUrl: string; redisUrl?: string; encryptionKey: string; pollMs: number }) {
    app = await startBenchApp({
      databaseUrl,
      redisUrl,
      encryptionKey,
      schedulerPollMs: pollMs,
      onScheduledRound: (round) =>
        rounds.push({ raffleId: round.raffleId, number: round.number, dueAt: round.dueAt.getTime(), claimedAt: round.claimedAt.getTime(), queuedMs: round.queuedMs, at: round.at.getTime() }),
    });
    return { url: app.url };
  },

  /** Gives these streamers a chat of 50 viewers (the same list for each). */
  setChatters({ streamerIds }: { streamerIds: string[] }) {
    for (const id of streamerIds) app!.chatters.set(id, viewers);
  },

  /** Every round recorded since the last call (and forgets them). */
  drain(): RoundRecord[] {
    const drained = rounds;
    rounds = [];
    return drained;
  },

  /** The scheduler's counters: claim statements and claims since start, rounds in flight. */
  stats() {
    return app!.schedulerStats();
  },

  async exit() {
    await app?.stop();
    setTimeout(() => process.exit(0), 20);
  },
});

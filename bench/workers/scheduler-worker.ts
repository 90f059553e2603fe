/**
 * One KinoYu API instance for the capacity bench, in its own process: the real createApp on the
 * bench's database and Redis, its scheduler running every raffle due. It records each scheduled
 * round's lag (round time − due time, both from the database) for the orchestrator.
 */
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { startBenchApp, type BenchApp } from '../lib/bench-app';
import { serveRpc } from '../lib/rpc';

let app: BenchApp | undefined;
/** Per scheduled round: its time (epoch ms, database clock) and its lag, ms. */
const rounds: Array<{ at: number; lagMs: number }> = [];
const viewers = generateViewers(50);

serveRpc({
  async start({ databaseUrl, redisUrl, encryptionKey, pollMs }: { databaseUrl: string; redisUrl?: string; encryptionKey: string; pollMs: number }) {
    app = await startBenchApp({
      databaseUrl,
      redisUrl,
      encryptionKey,
      schedulerPollMs: pollMs,
      onScheduledRound: (round) => rounds.push({ at: round.at.getTime(), lagMs: round.lagMs }),
    });
    return { url: app.url };
  },

  /** Gives these streamers a chat of 50 viewers (the same list for each). */
  setChatters({ streamerIds }: { streamerIds: string[] }) {
    for (const id of streamerIds) app!.chatters.set(id, viewers);
  },

  /** The lags of the rounds drawn in [from, to) (epoch ms, database clock); forgets older ones. */
  lags({ from, to }: { from: number; to: number }) {
    const inWindow = rounds.filter((round) => round.at >= from && round.at < to).map((round) => round.lagMs);
    const keep = rounds.filter((round) => round.at >= to);
    rounds.length = 0;
    rounds.push(...keep);
    return inWindow;
  },

  async exit() {
    await app?.stop();
    setTimeout(() => process.exit(0), 20);
  },
});

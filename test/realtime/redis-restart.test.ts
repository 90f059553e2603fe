import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute, subscribe } from '../support/graphql';
import { describeWith } from '../support/describe-with';
import { allRounds, SpareRedis, startCluster, until, waitForRedisSubscribers, type Cluster } from './realtime-support';


async function readiness(baseUrl: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${baseUrl}/ready`);
  return { status: response.status, body: await response.json() };
}

describeWith({ postgres: true, redisServerBinary: true }, 'Redis restarted mid-raffle', ({ postgresUrl }) => {
  let redis: SpareRedis;
  let cluster: Cluster;
  beforeAll(async () => {
    redis = await SpareRedis.start();
    cluster = await startCluster({ postgresUrl, redisUrl: redis.url, count: 2 });
  });
  afterAll(async () => {
    await cluster?.stop();
    await redis?.kill();
  });

  it('keeps running, resumes subscriptions after the reconnect, and no win is lost (server catch-up and roundsSince agree)', async () => {
    const [a, b] = cluster.apps;
    const streamer = await createStreamer(a!.url);
    cluster.chatters.set(streamer.id, generateViewers(100));
    await addItems(a!.url, streamer.id, [{ name: 'hoodie', weight: 1, stock: 100 }]);

    // Subscriber on B; rounds run on both instances by the scheduler.
    const subscription = await subscribe(b!.url, contractOperation('WinnerDrawn'), { streamerId: streamer.id });
    const received = new Map<string, number>();
    const seen: string[] = [];
    // Reads events until the subscription is closed at the end (never a short timeout: a
    // timed-out next() would drop the event it was waiting for).
    const pump = (async () => {
      for (;;) {
        const event = await subscription.next(600_000).catch((error: Error) => {
          if (/subscription ended/.test(error.message)) return undefined;
          throw error;
        });
        if (!event) return;
        seen.push(event.winnerDrawn.id);
        received.set(event.winnerDrawn.id, event.winnerDrawn.number);
      }
    })();
    try {
      await waitForRedisSubscribers(redis.url, `winnerDrawn:${streamer.id}`);
      const raffle = await startRaffle(a!.url, { streamerId: streamer.id, intervalSeconds: 1 });
      await until('two wins through Redis', () => received.size >= 2);
      const lastSeenBeforeOutage = Math.max(...[...received.keys()].map(Number));

      await redis.kill();
      const roundsAtOutage = (await allRounds(a!.url, raffle.id)).rounds.length;
      // The apps keep serving and drawing; publishes fail (kept for a re-send) and /ready says why.
      await until('two rounds drawn while Redis is down', async () => (await allRounds(a!.url, raffle.id)).rounds.length >= roundsAtOutage + 2, 20_000, 200);
      const down = await readiness(b!.url);
      expect(down.status).toBe(503);
      expect(down.body.database).toBe('ok');
      expect(down.body.pubsub).toMatch(/^error/);
      expect((await fetch(`${a!.url}/health`)).status).toBe(200);
      const { drawRound: drawnWhileDown } = await execute(a!.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      expect(drawnWhileDown.__typename).toBe('Round');

      await redis.start();
      const restartedAt = Date.now();
      await until('both instances ready again', async () => (await readiness(a!.url)).status === 200 && (await readiness(b!.url)).status === 200, 30_000, 200);
      const readyMs = Date.now() - restartedAt;
      await waitForRedisSubscribers(redis.url, `winnerDrawn:${streamer.id}`);
      const outageWins = (await allRounds(a!.url, raffle.id)).rounds.filter(
        (round) => round.outcome === 'WINNER' && Number(round.id) > lastSeenBeforeOutage,
      );
      await until('the wins drawn during the outage on the live subscription', () => outageWins.every((round) => received.has(round.id)), 20_000, 25);
      const caughtUpMs = Date.now() - restartedAt;
      const roundsAfterRestart = (await allRounds(a!.url, raffle.id)).rounds.length;
      await until('two more rounds after Redis is back', async () => (await allRounds(a!.url, raffle.id)).rounds.length >= roundsAfterRestart + 2, 20_000, 200);

      await execute(a!.url, contractOperation('StopRaffle'), { raffleId: raffle.id });
      const { rounds } = await allRounds(a!.url, raffle.id);
      const wins = rounds.filter((round) => round.outcome === 'WINNER');
      const after = wins.filter((round) => Number(round.id) > lastSeenBeforeOutage);
      expect(wins.some((round) => round.id === drawnWhileDown.id)).toBe(true);

      // The live subscription on B got every win, including those drawn while Redis was away
      // (re-sent publishes / catch-up from the database after B resubscribed), each once.
      await until('every win on the live subscription', () => wins.every((round) => received.has(round.id)), 20_000, 100);
      expect(seen.length).toBe(new Set(seen).size);
      for (const round of wins) expect(received.get(round.id)).toBe(round.number);

      // A client that reconnects catches up the same rounds by id through roundsSince.
      const { roundsSince } = await execute(
        b!.url,
        `query($streamerId: ID!, $after: ID) { roundsSince(streamerId: $streamerId, afterRoundId: $after, onlyWinners: true) { id number } }`,
        { streamerId: streamer.id, after: String(lastSeenBeforeOutage) },
      );
      expect(roundsSince.map((round: any) => round.id)).toEqual(after.map((round) => round.id));
      console.info(
        `[redis-restart] ${outageWins.length} wins drawn while Redis was down; after the restart both instances ready in ${readyMs} ms, ` +
          `those wins on B's live subscription ${caughtUpMs} ms after the restart; ${wins.length} wins, each delivered once`,
      );
    } finally {
      await subscription.return();
      await pump;
    }
  }, 120_000);
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute, request, subscribe } from '../support/graphql';
import { describeWith } from '../support/describe-with';
import { startCluster, startSlowLink, type Cluster } from './realtime-support';


const WINS_AFTER = `subscription WinsAfter($streamerId: ID!, $after: ID) {
  winnerDrawn(streamerId: $streamerId, afterRoundId: $after) { id number outcome }
}`;
const EVENTS_AFTER = `subscription EventsAfter($streamerId: ID!, $after: ID) {
  raffleEvents(streamerId: $streamerId, afterRoundId: $after) { kind round { id number } }
}`;

describeWith({ postgres: true, redis: true }, 'resuming a subscription from the last round id seen', ({ postgresUrl, redisUrl }) => {
  // Instance B reaches Redis over a slow link: its SUBSCRIBE takes 150 ms to become active, a
  // window in which A commits several rounds. Replaying before the subscription is live would lose them.
  let slowLink: Awaited<ReturnType<typeof startSlowLink>>;
  let cluster: Cluster;
  beforeAll(async () => {
    slowLink = await startSlowLink(redisUrl, 150);
    cluster = await startCluster({
      postgresUrl: postgresUrl,
      redisUrl: redisUrl,
      count: 2,
      envFor: (index): Record<string, string> => (index === 1 ? { REDIS_URL: slowLink.url } : {}),
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    await slowLink?.close();
  });

  async function raffleWithRounds(count: number) {
    const [a] = cluster.apps;
    const streamer = await createStreamer(a!.url);
    cluster.chatters.set(streamer.id, generateViewers(300));
    await addItems(a!.url, streamer.id, [{ name: 'sticker pack', weight: 1, stock: 1_000 }]);
    const raffle = await startRaffle(a!.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const rounds = [];
    for (let index = 0; index < count; index += 1) {
      rounds.push((await execute(a!.url, contractOperation('DrawRound'), { raffleId: raffle.id })).drawRound);
    }
    return { streamer, raffle, rounds };
  }

  it('replays the wins after afterRoundId on instance B, then goes on live, each once and in order', async () => {
    const [a, b] = cluster.apps;
    const { streamer, raffle, rounds } = await raffleWithRounds(4);
    const subscription = await subscribe(b!.url, WINS_AFTER, { streamerId: streamer.id, after: rounds[0].id });
    try {
      const replayed = [await subscription.next(15_000), await subscription.next(15_000), await subscription.next(15_000)];
      expect(replayed.map((event) => event.winnerDrawn.id)).toEqual(rounds.slice(1).map((round) => round.id));
      const { drawRound } = await execute(a!.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      expect((await subscription.next(15_000)).winnerDrawn).toMatchObject({ id: drawRound.id, number: 5 });
    } finally {
      await subscription.return();
    }
  });

  it('replays ROUND events on raffleEvents too, and refuses an afterRoundId that is not an id', async () => {
    const { streamer, rounds } = await raffleWithRounds(3);
    const subscription = await subscribe(cluster.apps[1]!.url, EVENTS_AFTER, { streamerId: streamer.id, after: rounds[1].id });
    try {
      const event = await subscription.next(15_000);
      expect(event.raffleEvents).toMatchObject({ kind: 'ROUND', round: { id: rounds[2].id, number: 3 } });
    } finally {
      await subscription.return();
    }
    const bad = await subscribe(cluster.apps[1]!.url, WINS_AFTER, { streamerId: streamer.id, after: 'yesterday' });
    try {
      await expect(bad.next(10_000)).rejects.toThrow(/afterRoundId must be a round id/);
    } finally {
      await bad.return();
    }
  });

  it('loses no win when rounds are committed while the subscription is starting (20 resumes on B during continuous draws on A)', async () => {
    const [a, b] = cluster.apps;
    const { streamer, raffle, rounds } = await raffleWithRounds(1);
    let drawing = true;
    const drawer = (async () => {
      while (drawing) {
        const response = await request(a!.url, contractOperation('DrawRound'), { raffleId: raffle.id });
        if (response.data?.drawRound?.__typename !== 'Round') throw new Error(`draw failed: ${JSON.stringify(response)}`);
      }
    })();
    try {
      let lastSeen = { id: rounds[0].id as string, number: rounds[0].number as number };
      for (let resume = 0; resume < 20; resume += 1) {
        // A client that saw `lastSeen` reconnects (to B) while A keeps drawing.
        const subscription = await subscribe(b!.url, WINS_AFTER, { streamerId: streamer.id, after: lastSeen.id });
        try {
          for (let count = 0; count < 3; count += 1) {
            const { winnerDrawn } = await subscription.next(15_000);
            // Every round of this raffle is a win (forced draws): numbers must follow on exactly.
            expect(winnerDrawn.number).toBe(lastSeen.number + 1);
            lastSeen = { id: winnerDrawn.id, number: winnerDrawn.number };
          }
        } finally {
          await subscription.return();
        }
      }
    } finally {
      drawing = false;
      await drawer;
    }
  }, 120_000);
});

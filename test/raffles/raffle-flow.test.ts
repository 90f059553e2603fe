import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateViewers } from '../../src/chatters/in-memory-chatter-source';
import { addItems, createStreamer, startRaffle } from '../support/factories';
import { contractOperation, execute } from '../support/graphql';
import { startTestApp, type TestApp } from '../support/test-app';

describe('a raffle from start to exhaustion through the contract', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api?.stop());

  it('draws every prize once, records the rounds and ends ITEMS_EXHAUSTED', async () => {
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(10));
    await addItems(api.url, streamer.id, [
      { name: 'golden skin', weight: 50 },
      { name: 'silver skin', weight: 30, stock: 2 },
    ]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    expect(raffle.status).toBe('RUNNING');

    const winners: string[] = [];
    for (let round = 1; round <= 3; round += 1) {
      const { drawRound } = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
      expect(drawRound.__typename).toBe('Round');
      expect(drawRound.number).toBe(round);
      expect(drawRound.outcome).toBe('WINNER');
      expect(drawRound.eligibleCount).toBe(10 - (round - 1));
      winners.push(drawRound.winner.userId);
    }
    expect(new Set(winners).size).toBe(3);

    const { raffle: finished } = await execute(api.url, contractOperation('RaffleRounds'), { raffleId: raffle.id, first: 10 });
    expect(finished.status).toBe('FINISHED');
    expect(finished.endReason).toBe('ITEMS_EXHAUSTED');
    expect(finished.endedAt).toBeTruthy();
    expect(finished.rounds.edges.map((edge: any) => edge.node.number)).toEqual([1, 2, 3]);
    const prizes = finished.rounds.edges.map((edge: any) => edge.node.item.name).sort();
    expect(prizes).toEqual(['golden skin', 'silver skin', 'silver skin']);

    const { streamerByGuild } = await execute(api.url, contractOperation('StreamerByGuild'), { guildId: streamer.guildId });
    expect(streamerByGuild.activeRaffle).toBeNull();
    expect(streamerByGuild.items.every((item: any) => item.remaining === 0)).toBe(true);

    const again = await execute(api.url, contractOperation('DrawRound'), { raffleId: raffle.id });
    expect(again.drawRound.__typename).toBe('InvalidStateError');
  });

  it('runs rounds on the interval by itself and keeps history queryable', async () => {
    const streamer = await createStreamer(api.url);
    api.chatters.set(streamer.id, generateViewers(5));
    await addItems(api.url, streamer.id, [{ name: 'sticker', weight: 1, stock: 2 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 1 });
    await expect
      .poll(
        async () => (await execute(api.url, contractOperation('RaffleRounds'), { raffleId: raffle.id })).raffle.status,
        { timeout: 8_000, interval: 200 },
      )
      .toBe('FINISHED');
    const { streamer: history } = await execute(api.url, contractOperation('RaffleHistory'), { streamerId: streamer.id, first: 5 });
    expect(history.raffles.edges).toHaveLength(1);
    expect(history.raffles.edges[0].node.winners).toHaveLength(2);
  });

  it('stops a running raffle and refuses to stop it twice', async () => {
    const streamer = await createStreamer(api.url);
    await addItems(api.url, streamer.id, [{ name: 'mug', weight: 3 }]);
    const raffle = await startRaffle(api.url, { streamerId: streamer.id, intervalSeconds: 3600 });
    const { stopRaffle } = await execute(api.url, contractOperation('StopRaffle'), { raffleId: raffle.id });
    expect(stopRaffle).toMatchObject({ __typename: 'Raffle', status: 'STOPPED', endReason: 'STOPPED' });
    const again = await execute(api.url, contractOperation('StopRaffle'), { raffleId: raffle.id });
    expect(again.stopRaffle.__typename).toBe('InvalidStateError');
  });
});

import { parse, print, Kind, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { execute } from '../support/graphql.js';
import { linkedStreamer, useFakeTwitch } from '../twitch/support.js';
import { peopleContract } from './support.js';

const RAFFLE_STATS = print(
  parse(peopleContract()).definitions.find(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === 'RaffleStats',
  )!,
);

describe('Raffle.stats (the contract RaffleStats query)', () => {
  const fixture = useFakeTwitch();

  it('counts rounds and wins, and compares each item\'s observed share with its weight share', async () => {
    const api = await fixture.app();
    const streamer = await linkedStreamer(api, fixture.twitch);
    fixture.twitch.setChatters(streamer.twitchUserId, [{ userId: '9001', login: 'viewer_one', displayName: 'ViewerOne' }]);
    const { addItems } = await execute(
      api.url,
      `mutation($id: ID!) { addItems(streamerId: $id, items: [{ name: "gold", weight: 3, stock: 50 }, { name: "silver", weight: 1, stock: 50 }]) { ... on AddItemsPayload { items { id name } } } }`,
      { id: streamer.id },
    );
    const { startRaffle } = await execute(
      api.url,
      `mutation($id: ID!) { startRaffle(input: { streamerId: $id, intervalSeconds: 86400, allowRepeatWinners: true }) { ... on Raffle { id } ... on Error { message } } }`,
      { id: streamer.id },
    );
    const outcomes = new Map<string, number>();
    for (let draw = 0; draw < 8; draw += 1) {
      const round = await api.services.raffles.drawNow(startRaffle.id);
      if (round.itemId) outcomes.set(round.itemId, (outcomes.get(round.itemId) ?? 0) + 1);
    }
    const { raffle } = await execute(api.url, RAFFLE_STATS, { raffleId: startRaffle.id });
    const wins = [...outcomes.values()].reduce((sum, n) => sum + n, 0);
    expect(wins).toBeGreaterThan(0);
    expect(raffle.stats.rounds).toBe(8);
    expect(raffle.stats.wins).toBe(wins);
    const byName = Object.fromEntries(raffle.stats.items.map((row: any) => [row.item.name, row]));
    const gold = addItems.items.find((item: { name: string }) => item.name === 'gold').id as string;
    const silver = addItems.items.find((item: { name: string }) => item.name === 'silver').id as string;
    expect(byName.gold).toEqual({ item: { id: gold, name: 'gold', weight: 3 }, wins: outcomes.get(gold) ?? 0, expectedShare: 0.75, observedShare: (outcomes.get(gold) ?? 0) / wins });
    expect(byName.silver).toMatchObject({ wins: outcomes.get(silver) ?? 0, expectedShare: 0.25, observedShare: (outcomes.get(silver) ?? 0) / wins });
  });
});

/**
 * Raffle.stats: the dashboard's odds chart (observed vs expected share per item). A small
 * aggregate over the raffle's rounds; no state of its own.
 */
import type { Item } from '../generated/prisma/client';
import { builder } from '../graphql/builder';
import { DECLARED_LIST_SIZE } from '../graphql/list-size';
import type { GraphQLContext } from '../graphql/context';

interface ItemStats {
  item: Item;
  wins: number;
  expectedShare: number;
  observedShare: number;
}

interface RaffleStats {
  rounds: number;
  wins: number;
  items: ItemStats[];
}

const ItemStatsType = builder.objectRef<ItemStats>('RaffleItemStats').implement({
  fields: (t) => ({
    item: t.prismaField({ type: 'Item', resolve: (_query, stats) => stats.item }),
    wins: t.exposeInt('wins'),
    expectedShare: t.exposeFloat('expectedShare', {
      description: "The item's weight over the weights of the items listed here (its share of wins if drawn by weight).",
    }),
    observedShare: t.exposeFloat('observedShare', { description: 'Its wins over all wins of the raffle (0 without wins).' }),
  }),
});

const RaffleStatsType = builder.objectRef<RaffleStats>('RaffleStats').implement({
  fields: (t) => ({
    rounds: t.exposeInt('rounds', { description: 'Rounds run, whatever their outcome.' }),
    wins: t.exposeInt('wins', { description: 'Rounds that drew a winner.' }),
    items: t.field({
      type: [ItemStatsType],
      description: `The streamer's current items and any item that won in this raffle, by name. Costed as a list of ${DECLARED_LIST_SIZE}.`,
      complexity: { field: 1, multiplier: DECLARED_LIST_SIZE },
      resolve: (stats) => stats.items,
    }),
  }),
});

builder.prismaObjectField('Raffle', 'stats', (t) =>
  t.field({
    type: RaffleStatsType,
    select: { id: true, streamerId: true },
    resolve: (raffle, _args, context) => raffleStats(context, raffle.id, raffle.streamerId),
  }),
);

async function raffleStats(context: GraphQLContext, raffleId: string, streamerId: string): Promise<RaffleStats> {
  const { db } = context.services;
  const [rounds, winsByItem, current] = await Promise.all([
    db.round.count({ where: { raffleId } }),
    db.round.groupBy({ by: ['itemId'], where: { raffleId, outcome: 'WINNER', itemId: { not: null } }, _count: { _all: true } }),
    db.item.findMany({ where: { streamerId, removedAt: null } }),
  ]);
  const winsOf = new Map(winsByItem.map((row) => [row.itemId!, row._count._all]));
  const missing = [...winsOf.keys()].filter((id) => !current.some((item) => item.id === id));
  const won = missing.length > 0 ? await db.item.findMany({ where: { id: { in: missing } } }) : [];
  const items = [...current, ...won].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const wins = [...winsOf.values()].reduce((sum, n) => sum + n, 0);
  const totalWeight = items.reduce((sum, item) => sum + item.weight, 0);
  return {
    rounds,
    wins,
    items: items.map((item) => ({
      item,
      wins: winsOf.get(item.id) ?? 0,
      expectedShare: totalWeight > 0 ? item.weight / totalWeight : 0,
      observedShare: wins > 0 ? (winsOf.get(item.id) ?? 0) / wins : 0,
    })),
  };
}

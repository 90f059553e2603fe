import type { Item, Prisma, Raffle, Round, Streamer } from '../generated/prisma/client';
import type { GraphQLContext } from './context';

/** Pothos' `query` of a Prisma field: the include / select the client's selection needs. */
type Query<Include, Select> = { include?: Include; select?: Select };

/**
 * Loads, by id, the record a mutation or an event names, with what the client selected: one
 * query, nested relations included (STYLE 3). Services write and return plain rows; resolvers
 * answer with `refetch.<model>(context, query, id)` instead of each spelling the Prisma call.
 */
export const refetch = {
  streamer: (context: GraphQLContext, query: Query<Prisma.StreamerInclude, Prisma.StreamerSelect>, id: string) =>
    context.services.db.streamer.findUniqueOrThrow({ ...query, where: { id } }) as Promise<Streamer>,
  item: (context: GraphQLContext, query: Query<Prisma.ItemInclude, Prisma.ItemSelect>, id: string) =>
    context.services.db.item.findUniqueOrThrow({ ...query, where: { id } }) as Promise<Item>,
  raffle: (context: GraphQLContext, query: Query<Prisma.RaffleInclude, Prisma.RaffleSelect>, id: string) =>
    context.services.db.raffle.findUniqueOrThrow({ ...query, where: { id } }) as Promise<Raffle>,
  round: (context: GraphQLContext, query: Query<Prisma.RoundInclude, Prisma.RoundSelect>, id: number) =>
    context.services.db.round.findUniqueOrThrow({ ...query, where: { id } }) as Promise<Round>,
};

import type { Item, Prisma, Round } from '../generated/prisma/client';
import type { GraphQLContext } from '../graphql/context';
import { refetch } from '../graphql/refetch';
import type { WinnerDrawnEvent } from '../pubsub/topics';
import { itemFromJson, roundFromJson } from './drawn-round-row';

/**
 * The round of a winnerDrawn event for a subscription's selection, without reading the round back.
 *
 * The publisher has the row it just committed and sends it along (`WinnerDrawnEvent.round`, as
 * JSON). When the selection needs nothing else of the round than its own columns and its `item`
 * (the contract's RoundFields), the round comes from that row and the item from the won item's row
 * sent with it (`WinnerDrawnEvent.item`, as complete_round left it): no statement at all on the
 * commit-to-socket path. An event without the item row loads the item by id.
 * Anything else (other relations, a Prisma `select`, a replayed event without the row) loads the
 * round as before. The row is the round as committed; what a round gains later (its Discord
 * announcement, a claim) arrives with later events and reads.
 *
 * Every group of subscribers that executes the event (one per document and principal class) asks
 * for the same thing: the load is shared per event object (the bus hands one object to all its
 * listeners) and selection, so an instance reads once per event, not once per group.
 */
export function loadDrawnRound(context: GraphQLContext, query: RoundQuery, event: WinnerDrawnEvent): Promise<Round> {
  let byQuery = loads.get(event);
  if (!byQuery) loads.set(event, (byQuery = new Map()));
  const key = JSON.stringify(query);
  let load = byQuery.get(key);
  if (!load) {
    load = loadOnce(context, query, event);
    byQuery.set(key, load);
    // A failed load is not kept: the next group (or a retry of the event) asks again.
    load.catch(() => byQuery.delete(key));
  }
  return load;
}

type RoundQuery = { include?: Prisma.RoundInclude; select?: Prisma.RoundSelect };

const loads = new WeakMap<WinnerDrawnEvent, Map<string, Promise<Round>>>();

async function loadOnce(context: GraphQLContext, query: RoundQuery, event: WinnerDrawnEvent): Promise<Round> {
  if (!event.round || !coveredByRow(query)) return refetch.round(context, query, event.roundId);
  const round = roundFromJson(event.round);
  if (!query.include?.item) return round;
  const item: Item | null = event.item
    ? itemFromJson(event.item)
    : round.itemId === null
      ? null
      : await context.services.db.item.findUnique({ where: { id: round.itemId } });
  return { ...round, item } as Round;
}

/** The selection needs the round's columns and at most its whole item (include mode). */
function coveredByRow(query: RoundQuery): boolean {
  if (query.select !== undefined) return false;
  return Object.entries(query.include ?? {}).every(([relation, included]) => (relation === 'item' && included === true) || !included);
}

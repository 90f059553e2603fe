import type { Services } from '../app/services';
import { builder } from '../graphql/builder';
import { roundIdArg } from '../graphql/id-args';
import { MAX_INITIAL_REPLAY, withCatchUp, type CatchUpSource } from '../pubsub/catch-up';
import type { RaffleEventMessage, WinnerDrawnEvent } from '../pubsub/topics';

const RaffleEventKind = builder.enumType('RaffleEventKind', { values: ['STARTED', 'ROUND', 'ENDED'] as const });

const RaffleEventType = builder.objectRef<RaffleEventMessage>('RaffleEvent').implement({
  description: 'Something happened to a raffle. Ids let a client catch up with roundsSince after a gap.',
  fields: (t) => ({
    kind: t.expose('kind', { type: RaffleEventKind }),
    roundId: t.id({ nullable: true, resolve: (event) => event.roundId }),
    raffle: t.prismaField({
      type: 'Raffle',
      resolve: (query, event, _args, context) =>
        context.services.db.raffle.findUniqueOrThrow({ ...query, where: { id: event.raffleId } }),
    }),
    round: t.prismaField({
      type: 'Round',
      nullable: true,
      resolve: (query, event, _args, context) =>
        event.roundId === null ? null : context.services.db.round.findUnique({ ...query, where: { id: event.roundId } }),
    }),
  }),
});

const AFTER_ROUND_ID_DESCRIPTION =
  `The last round id this client saw: the subscription first replays the rounds after it (at most ${MAX_INITIAL_REPLAY}; ` +
  'use roundsSince for more), looked up once it is live, then goes on live. Dedupe by id.';

function afterRoundIdArg(value: string | number | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : roundIdArg('afterRoundId', value);
}

builder.subscriptionFields((t) => ({
  winnerDrawn: t.prismaField({
    type: 'Round',
    description: "Each winning round of the streamer's raffles, right after it is committed.",
    args: {
      streamerId: t.arg.id({ required: true }),
      afterRoundId: t.arg.id({ description: AFTER_ROUND_ID_DESCRIPTION }),
    },
    authScopes: (_root, args) => ({ overlayOf: String(args.streamerId) }),
    subscribe: (_root, args, context) => {
      const { events } = context.services;
      const streamerId = String(args.streamerId);
      return withCatchUp(events, events.subscribe('winnerDrawn', streamerId), missedWins(context.services, streamerId), catchUpLogger(context.services), {
        afterId: afterRoundIdArg(args.afterRoundId),
      });
    },
    resolve: (query, event, _args, context) =>
      context.services.db.round.findUniqueOrThrow({ ...query, where: { id: event.roundId } }),
  }),
  raffleEvents: t.field({
    type: RaffleEventType,
    args: {
      streamerId: t.arg.id({ required: true }),
      afterRoundId: t.arg.id({ description: AFTER_ROUND_ID_DESCRIPTION }),
    },
    authScopes: (_root, args) => ({ overlayOf: String(args.streamerId) }),
    subscribe: (_root, args, context) => {
      const { events } = context.services;
      const streamerId = String(args.streamerId);
      return withCatchUp(events, events.subscribe('raffleEvents', streamerId), missedRounds(context.services, streamerId), catchUpLogger(context.services), {
        afterId: afterRoundIdArg(args.afterRoundId),
      });
    },
    resolve: (event) => event,
  }),
}));

/*
 * What a subscription looks up to replay from `afterRoundId` and after a pub/sub interruption
 * (see withCatchUp). Round ids of
 * one streamer grow in commit order (one running raffle per streamer, rounds serialised by the
 * raffle row lock), so "id above the last delivered" finds exactly the rounds committed since.
 * STARTED / ENDED notices are not replayed: the replayed ROUND events carry the raffle's state.
 */
/**
 * The newest round id of a streamer, where a subscription's catch-up starts. Subscriptions of one
 * streamer that start within a second share one look-up (a mass reconnect costs one query per
 * streamer, not per client): an older, lower start can only re-deliver a round, which is deduped.
 */
const latestRoundIdLookups = new WeakMap<Services['db'], Map<string, Promise<number>>>();
const LATEST_ROUND_ID_SHARED_MS = 1_000;

function latestRoundId(services: Services, streamerId: string) {
  return () => {
    let lookups = latestRoundIdLookups.get(services.db);
    if (!lookups) latestRoundIdLookups.set(services.db, (lookups = new Map()));
    const shared = lookups.get(streamerId);
    if (shared) return shared;
    const lookup = services.db.round
      .findFirst({ where: { raffle: { streamerId } }, orderBy: { id: 'desc' }, select: { id: true } })
      .then((round) => round?.id ?? 0);
    lookups.set(streamerId, lookup);
    const forget = () => lookups.delete(streamerId);
    setTimeout(forget, LATEST_ROUND_ID_SHARED_MS).unref();
    lookup.catch(forget);
    return lookup;
  };
}

function missedWins(services: Services, streamerId: string): CatchUpSource<WinnerDrawnEvent> {
  return {
    latestId: latestRoundId(services, streamerId),
    after: async (afterId, limit) =>
      (
        await services.db.round.findMany({
          where: { raffle: { streamerId }, outcome: 'WINNER', id: { gt: afterId } },
          orderBy: { id: 'asc' },
          take: limit,
          select: { id: true, number: true, raffleId: true },
        })
      ).map((round) => ({ raffleId: round.raffleId, roundId: round.id, number: round.number })),
    idOf: (event) => event.roundId,
  };
}

function missedRounds(services: Services, streamerId: string): CatchUpSource<RaffleEventMessage> {
  return {
    latestId: latestRoundId(services, streamerId),
    after: async (afterId, limit) =>
      (
        await services.db.round.findMany({
          where: { raffle: { streamerId }, id: { gt: afterId } },
          orderBy: { id: 'asc' },
          take: limit,
          select: { id: true, number: true, raffleId: true },
        })
      ).map((round) => ({ kind: 'ROUND' as const, raffleId: round.raffleId, roundId: round.id, number: round.number })),
    idOf: (event) => event.roundId,
  };
}

const subscriptionLoggers = new WeakMap<Services['logger'], Services['logger']>();

function catchUpLogger(services: Services) {
  let logger = subscriptionLoggers.get(services.logger);
  if (!logger) subscriptionLoggers.set(services.logger, (logger = services.logger.child({ subsystem: 'subscriptions' })));
  return logger;
}

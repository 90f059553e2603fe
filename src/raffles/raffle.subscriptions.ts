import { builder } from '../graphql/builder';
import type { RaffleEventMessage } from '../pubsub/topics';

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

builder.subscriptionFields((t) => ({
  winnerDrawn: t.prismaField({
    type: 'Round',
    description: "Each winning round of the streamer's raffles, right after it is committed.",
    args: { streamerId: t.arg.id({ required: true }) },
    authScopes: (_root, args) => ({ overlayOf: String(args.streamerId) }),
    subscribe: (_root, args, context) => context.services.events.subscribe('winnerDrawn', String(args.streamerId)),
    resolve: (query, event, _args, context) =>
      context.services.db.round.findUniqueOrThrow({ ...query, where: { id: event.roundId } }),
  }),
  raffleEvents: t.field({
    type: RaffleEventType,
    args: { streamerId: t.arg.id({ required: true }) },
    authScopes: (_root, args) => ({ overlayOf: String(args.streamerId) }),
    subscribe: (_root, args, context) => context.services.events.subscribe('raffleEvents', String(args.streamerId)),
    resolve: (event) => event,
  }),
}));

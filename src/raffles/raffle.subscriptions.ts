import { may, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { roundIdArg } from '../graphql/id-args';
import { refetch } from '../graphql/refetch';
import { MAX_INITIAL_REPLAY, withCatchUp } from '../pubsub/catch-up';
import { RAFFLE_EVENT_KINDS, type RaffleEventMessage, type RoundCommitMessage } from '../pubsub/topics';
import { loadDrawnRound } from './drawn-round';

const RaffleEventKind = builder.enumType('RaffleEventKind', { values: RAFFLE_EVENT_KINDS });

const RoundCommitType = builder.objectRef<RoundCommitMessage>('RoundCommit').implement({
  description: "What a round committed to before its randomness existed (FAIRNESS.md): check a round's proof against it.",
  fields: (t) => ({
    roundNumber: t.exposeInt('roundNumber'),
    commitHash: t.exposeString('commitHash'),
    source: t.exposeString('source', { description: '`drand:<chainHash>:<R>` or `sealed:<sealHash>`.' }),
    beaconRound: t.exposeInt('beaconRound', { nullable: true, description: 'drand: the round R whose beacon decides.' }),
  }),
});

const RaffleEventType = builder.objectRef<RaffleEventMessage>('RaffleEvent').implement({
  description: 'Something happened to a raffle. Ids let a client catch up with roundsSince after a gap.',
  fields: (t) => ({
    kind: t.expose('kind', { type: RaffleEventKind }),
    roundId: t.id({ nullable: true, resolve: (event) => event.roundId }),
    commit: t.field({
      type: RoundCommitType,
      nullable: true,
      description: 'For COMMITTED: the commit, published before the randomness exists.',
      resolve: (event) => event.commit ?? null,
    }),
    raffle: t.prismaField({
      type: 'Raffle',
      resolve: (query, event, _args, context) => refetch.raffle(context, query, event.raffleId),
    }),
    round: t.prismaField({
      type: 'Round',
      nullable: true,
      // Events without a round (STARTED, COMMITTED, ENDED) look up id 0, which no round has: the
      // selection is still spread, as onUnusedQuery requires.
      resolve: (query, event, _args, context) => context.services.db.round.findUnique({ ...query, where: { id: event.roundId ?? 0 } }),
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
    authScopes: may.watch(streamerArg('streamerId')),
    subscribe: (_root, args, context) => {
      const { events, roundCatchUp } = context.services;
      const streamerId = String(args.streamerId);
      return withCatchUp(events, events.subscribe('winnerDrawn', streamerId), roundCatchUp.missedWins(streamerId), roundCatchUp.logger, {
        afterId: afterRoundIdArg(args.afterRoundId),
      });
    },
    resolve: (query, event, _args, context) => loadDrawnRound(context, query, event),
  }),
  raffleEvents: t.field({
    type: RaffleEventType,
    args: {
      streamerId: t.arg.id({ required: true }),
      afterRoundId: t.arg.id({ description: AFTER_ROUND_ID_DESCRIPTION }),
    },
    authScopes: may.watch(streamerArg('streamerId')),
    subscribe: (_root, args, context) => {
      const { events, roundCatchUp } = context.services;
      const streamerId = String(args.streamerId);
      return withCatchUp(events, events.subscribe('raffleEvents', streamerId), roundCatchUp.missedRounds(streamerId), roundCatchUp.logger, {
        afterId: afterRoundIdArg(args.afterRoundId),
      });
    },
    resolve: (event) => event,
  }),
}));

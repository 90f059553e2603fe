import type { Chatter } from '../chatters/chatter';
import { RoundOutcome } from '../generated/prisma/enums';
import { may, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { roundIdArg } from '../graphql/id-args';

const ROUNDS_SINCE = { default: 100, max: 500 } as const;
const roundsSinceSize = (first: number | null | undefined) => Math.min(Math.max(first ?? ROUNDS_SINCE.default, 1), ROUNDS_SINCE.max);

builder.enumType(RoundOutcome, { name: 'RoundOutcome' });

export const ChatterType = builder.objectRef<Chatter>('Chatter').implement({
  description: 'A person in the live chat, as Twitch reported them.',
  fields: (t) => ({
    userId: t.exposeString('userId'),
    login: t.exposeString('login'),
    displayName: t.exposeString('displayName'),
  }),
});

export const RoundType = builder.prismaObject('Round', {
  description: 'One tick of a raffle. The random values are kept so the draw can be re-computed.',
  fields: (t) => ({
    id: t.exposeID('id'),
    number: t.exposeInt('number'),
    at: t.expose('at', { type: 'DateTime' }),
    outcome: t.expose('outcome', { type: RoundOutcome }),
    eligibleCount: t.exposeInt('eligibleCount', { description: 'Chatters who could win this round.' }),
    verifyUrl: t.string({
      description: 'The public page that checks this round in the browser (PUBLIC_URL/verify/<id>, no credential needed).',
      select: { id: true },
      resolve: (round, _args, context) => context.services.verifyLinks.roundUrl(round.id),
    }),
    item: t.relation('item', { nullable: true }),
    winner: t.field({
      type: ChatterType,
      nullable: true,
      select: { winnerUserId: true, winnerLogin: true, winnerDisplayName: true },
      resolve: (round) =>
        round.winnerUserId
          ? { userId: round.winnerUserId, login: round.winnerLogin ?? '', displayName: round.winnerDisplayName ?? '' }
          : null,
    }),
    odds: t.float({
      nullable: true,
      description: "The prize's chance in this draw: its weight over the total weight left.",
      select: { itemWeight: true, totalWeight: true },
      resolve: (round) => (round.itemWeight && round.totalWeight ? round.itemWeight / round.totalWeight : null),
    }),
    drawValue: t.exposeFloat('drawValue', { nullable: true, description: 'The uniform value make_raffle drew with.' }),
    chanceValue: t.exposeFloat('chanceValue', { nullable: true, description: 'The uniform value the draw chance was tested with.' }),
    winnerIndex: t.exposeInt('winnerIndex', { nullable: true, description: 'Index of the winner among the eligible chatters.' }),
    discordAnnouncedAt: t.expose('discordAnnouncedAt', { type: 'DateTime', nullable: true }),
    raffle: t.relation('raffle'),
  }),
});

builder.queryFields((t) => ({
  roundsSince: t.prismaField({
    type: ['Round'],
    description:
      "The streamer's rounds after the round id a client saw last (all raffles, oldest first). Subscribers " +
      'call it after (re)connecting and dedupe by id, so no win is missed.',
    args: {
      streamerId: t.arg.id({ required: true }),
      afterRoundId: t.arg.id({ description: 'Omit to start from the first round.' }),
      onlyWinners: t.arg.boolean({ defaultValue: false }),
      first: t.arg.int({ defaultValue: ROUNDS_SINCE.default, description: `At most ${ROUNDS_SINCE.max}.` }),
    },
    complexity: (args) => ({ field: 1, multiplier: roundsSinceSize(args.first) }),
    authScopes: may.watch(streamerArg('streamerId')),
    resolve: (query, _root, args, context) =>
      context.services.db.round.findMany({
        ...query,
        where: {
          raffle: { streamerId: String(args.streamerId) },
          ...(args.afterRoundId != null ? { id: { gt: roundIdArg('afterRoundId', args.afterRoundId) } } : {}),
          ...(args.onlyWinners ? { outcome: 'WINNER' } : {}),
        },
        orderBy: { id: 'asc' },
        take: roundsSinceSize(args.first),
      }),
  }),
}));

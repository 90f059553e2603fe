import { RaffleEndReason, RaffleStatus } from '../generated/prisma/enums';
import { may, raffleArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { checkCursorArgs } from '../graphql/id-args';

builder.enumType(RaffleStatus, { name: 'RaffleStatus' });
builder.enumType(RaffleEndReason, { name: 'RaffleEndReason' });

export const RaffleType = builder.prismaObject('Raffle', {
  description: 'An automatic raffle: a round every intervalSeconds until the prizes run out or it is stopped.',
  fields: (t) => ({
    id: t.exposeID('id'),
    status: t.expose('status', { type: RaffleStatus }),
    intervalSeconds: t.exposeInt('intervalSeconds'),
    drawChance: t.exposeFloat('drawChance', { description: 'Chance (0, 1] that a round draws at all.' }),
    allowRepeatWinners: t.exposeBoolean('allowRepeatWinners'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    endedAt: t.expose('endedAt', { type: 'DateTime', nullable: true }),
    endReason: t.expose('endReason', { type: RaffleEndReason, nullable: true }),
    roundCount: t.exposeInt('roundCount'),
    nextRoundAt: t.field({
      type: 'DateTime',
      nullable: true,
      select: { status: true, nextRoundAt: true },
      resolve: (raffle) => (raffle.status === 'RUNNING' ? raffle.nextRoundAt : null),
    }),
    streamer: t.relation('streamer'),
    rounds: t.relatedConnection('rounds', {
      description: 'Every round in order; resume from the last cursor seen to catch up.',
      cursor: 'id',
      query: (args) => {
        checkCursorArgs(args, 'roundId');
        return { orderBy: { number: 'asc' } };
      },
    }),
    winners: t.relation('rounds', {
      description: 'The rounds that produced a winner, in order.',
      query: { where: { outcome: 'WINNER' }, orderBy: { number: 'asc' } },
    }),
  }),
});

builder.queryFields((t) => ({
  raffle: t.prismaField({
    type: 'Raffle',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    authScopes: may.watch(raffleArg('id')),
    resolve: (query, _root, args, context) =>
      context.services.db.raffle.findUnique({ ...query, where: { id: String(args.id) } }),
  }),
}));

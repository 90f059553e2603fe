import { FairnessMode, RaffleEndReason, RaffleStatus, RoundOutcome } from '../generated/prisma/enums';
import { may, raffleArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { connectionCost, firstArgCost, listSize, PAGE_SIZE, UNPAGED_LIST_MAX } from '../graphql/list-size';
import { checkCursorArgs } from '../graphql/id-args';
import type { ConnectionArgs } from '../graphql/id-args';

builder.enumType(RaffleStatus, { name: 'RaffleStatus' });
builder.enumType(RaffleEndReason, { name: 'RaffleEndReason' });
export const FairnessModeEnum = builder.enumType(FairnessMode, {
  name: 'FairnessMode',
  description: 'SEALED: a seed sealed at the start, revealed at the end (works offline). DRAND: a future public drand beacon (FAIRNESS.md).',
});

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
    fairness: t.expose('fairness', { type: FairnessModeEnum }),
    sealHash: t.exposeString('sealHash', { nullable: true, description: 'Sealed raffles: hex(SHA-256(serverSeed)), published from the start.' }),
    serverSeed: t.string({
      nullable: true,
      description: 'Sealed raffles: the serverSeed, revealed once the raffle has ended (null before).',
      select: { id: true, status: true, serverSeedEnc: true },
      resolve: (raffle, _args, context) =>
        raffle.status !== 'RUNNING' && raffle.serverSeedEnc ? context.services.proofs.revealedSeed(raffle) : null,
    }),
    nextRoundAt: t.field({
      type: 'DateTime',
      nullable: true,
      select: { status: true, nextRoundAt: true },
      resolve: (raffle) => (raffle.status === 'RUNNING' ? raffle.nextRoundAt : null),
    }),
    streamer: t.relation('streamer'),
    rounds: t.relatedConnection('rounds', {
      description: `Every round in order (or only those with \`outcome\`); resume from the last cursor seen to catch up. Pages of ${PAGE_SIZE.default} rounds unless \`first\` asks for more, at most ${PAGE_SIZE.max}.`,
      cursor: 'id',
      args: { outcome: t.arg({ type: RoundOutcome, description: 'Only rounds with this outcome (history filters).' }) },
      complexity: connectionCost,
      query: (args) => {
        checkCursorArgs(args as typeof args & ConnectionArgs, 'roundId');
        return { ...(args.outcome ? { where: { outcome: args.outcome } } : {}), orderBy: { number: 'asc' } };
      },
    }),
    winners: t.relation('rounds', {
      description: `The first rounds that produced a winner, in order: \`first\` of them, at most ${UNPAGED_LIST_MAX} (the default). Page through \`rounds\` for more.`,
      args: { first: t.arg.int({ defaultValue: UNPAGED_LIST_MAX, description: `At most ${UNPAGED_LIST_MAX}.` }) },
      complexity: firstArgCost(UNPAGED_LIST_MAX),
      query: (args) => ({ where: { outcome: 'WINNER' }, orderBy: { number: 'asc' }, take: listSize(args.first) }),
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

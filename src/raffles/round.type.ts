import type { Chatter } from '../chatters/chatter';
import { ClaimStatus, RoundOutcome } from '../generated/prisma/enums';
import { may, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { roundIdArg, roundIdOrNull } from '../graphql/id-args';

const ROUNDS_SINCE = { default: 100, max: 500 } as const;
const roundsSinceSize = (first: number | null | undefined) => Math.min(Math.max(first ?? ROUNDS_SINCE.default, 1), ROUNDS_SINCE.max);

builder.enumType(RoundOutcome, { name: 'RoundOutcome' });
builder.enumType(ClaimStatus, { name: 'ClaimStatus' });

interface RoundClaim {
  status: ClaimStatus;
  deadline: Date;
}

const RoundClaimType = builder.objectRef<RoundClaim>('RoundClaim').implement({
  description: 'A winner with a claim window must type !claim (pt-BR !resgatar) in chat before the deadline; otherwise the prize is redrawn.',
  fields: (t) => ({
    status: t.field({ type: ClaimStatus, resolve: (claim) => claim.status }),
    deadline: t.field({ type: 'DateTime', resolve: (claim) => claim.deadline }),
  }),
});

export const ChatterType = builder.objectRef<Chatter>('Chatter').implement({
  description: 'A person in the live chat, as Twitch reported them.',
  fields: (t) => ({
    userId: t.exposeString('userId'),
    login: t.exposeString('login'),
    displayName: t.exposeString('displayName'),
  }),
});

/**
 * Query.round is public (anyone may check a round): the fields a round announces in chat are
 * open, the rest asks the same as the streamer's other data.
 */
const watchesRaffle = (round: { raffleId: string }) => ({ watch: { raffleId: round.raffleId } });

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
    rerollOf: t.relation('rerollOf', { nullable: true, description: 'The round this one was drawn to replace (a reroll, or an expired claim).' }),
    rerolledBy: t.relation('rerolledBy', { nullable: true, description: 'The round drawn to replace this one, once rerolled.' }),
    winner: t.field({
      type: ChatterType,
      nullable: true,
      select: { winnerUserId: true, winnerLogin: true, winnerDisplayName: true },
      resolve: (round) =>
        round.winnerUserId
          ? { userId: round.winnerUserId, login: round.winnerLogin ?? '', displayName: round.winnerDisplayName ?? '' }
          : null,
    }),
    claim: t.field({
      type: RoundClaimType,
      nullable: true,
      description: 'The claim window of a WINNER round of a raffle with claimSeconds > 0; null otherwise.',
      select: { claimStatus: true, claimDeadline: true },
      resolve: (round) => (round.claimStatus && round.claimDeadline ? { status: round.claimStatus, deadline: round.claimDeadline } : null),
    }),
    tickets: t.int({
      nullable: true,
      description: "The winner's tickets in this round's entrant list (1 unless luck gave their role more); null without a winner.",
      select: { winnerTickets: true, winnerUserId: true },
      resolve: (round) => round.winnerTickets ?? (round.winnerUserId ? 1 : null),
    }),
    odds: t.float({
      nullable: true,
      description: "The prize's chance in this draw: its weight over the total weight left.",
      select: { itemWeight: true, totalWeight: true },
      resolve: (round) => (round.itemWeight && round.totalWeight ? round.itemWeight / round.totalWeight : null),
    }),
    drawValue: t.exposeFloat('drawValue', { nullable: true, authScopes: watchesRaffle, description: "The prize target t over the total weight (t is the derivation's uniform('prize', Σ weight) that make_raffle drew with)." }),
    chanceValue: t.exposeFloat('chanceValue', { nullable: true, authScopes: watchesRaffle, description: "uniform('chance', 1000000) / 1000000, tested against the draw chance (null for forced rounds)." }),
    winnerIndex: t.exposeInt('winnerIndex', { nullable: true, authScopes: watchesRaffle, description: 'Index of the winner in the canonical entrant list (bytewise by user id).' }),
    discordAnnouncedAt: t.expose('discordAnnouncedAt', { type: 'DateTime', nullable: true, authScopes: watchesRaffle }),
    raffle: t.relation('raffle', { authScopes: watchesRaffle }),
    proof: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The proof bundle (FAIRNESS.md v1; also GET /rounds/<id>/proof.json). Null for rounds drawn before provable rounds.',
      select: { id: true },
      resolve: async (round, _args, context) => (await context.services.proofs.proof(round.id))?.bundle ?? null,
    }),
  }),
});

builder.queryFields((t) => ({
  round: t.prismaField({
    type: 'Round',
    nullable: true,
    description: 'One round by id, readable by anyone for what it announced (number, outcome, prize, winner, proof); the rest is guarded.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) => {
      const id = roundIdOrNull(args.id);
      return id === null ? null : context.services.db.round.findUnique({ ...query, where: { id } });
    },
  }),
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

import { RaffleAlreadyRunningError, TwitchNotLinkedError } from '../errors/domain-errors';
import { may, onlyService, raffleArg, roundArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { commonErrors } from '../graphql/error-types';
import { roundIdArg, roundIdOrNull } from '../graphql/id-args';
import { refetch } from '../graphql/refetch';
import { FairnessModeEnum } from './raffle.type';
import { RaffleEntryInput, RaffleLuckInput, SharedChatModeType, startRaffleEntryFields } from '../entry/raffle-entry.type';

const StartRaffleInput = builder.inputType('StartRaffleInput', {
  fields: (t) => ({
    streamerId: t.id({ required: true }),
    intervalSeconds: t.int({ required: true, description: 'Seconds between rounds, 1 to 86400.' }),
    drawChance: t.float({ defaultValue: 1, description: 'Chance (0, 1] that a round draws at all.' }),
    allowRepeatWinners: t.boolean({ defaultValue: false, description: 'Whether one person may win twice.' }),
    fairness: t.field({ type: FairnessModeEnum, description: 'Where rounds take their randomness (FAIRNESS.md); default RAFFLE_FAIRNESS_DEFAULT.' }),
    entry: t.field({ type: RaffleEntryInput, description: 'How people enter (default: everyone present in the chat).' }),
    luck: t.field({ type: RaffleLuckInput }),
    claimSeconds: t.int({ defaultValue: 0, description: startRaffleEntryFields.claimDescription }),
    sharedChat: t.field({ type: SharedChatModeType, defaultValue: 'OWN_CHAT' }),
  }),
});

builder.mutationFields((t) => ({
  startRaffle: t.prismaField({
    type: 'Raffle',
    args: { input: t.arg({ type: StartRaffleInput, required: true }) },
    authScopes: may.steer(({ input }) => ({ streamerId: String(input.streamerId) })),
    errors: { types: [...commonErrors, RaffleAlreadyRunningError, TwitchNotLinkedError] },
    resolve: async (query, _root, { input }, context) => {
      const raffle = await context.services.raffles.start({ ...input, streamerId: String(input.streamerId) });
      return refetch.raffle(context, query, raffle.id);
    },
  }),
  stopRaffle: t.prismaField({
    type: 'Raffle',
    args: { raffleId: t.arg.id({ required: true }) },
    authScopes: may.steer(raffleArg('raffleId')),
    errors: { types: [...commonErrors] },
    resolve: async (query, _root, args, context) => {
      const raffle = await context.services.raffles.stop(String(args.raffleId));
      return refetch.raffle(context, query, raffle.id);
    },
  }),
  drawRound: t.prismaField({
    type: 'Round',
    description: 'Draws one round now, whatever the interval and the draw chance.',
    args: { raffleId: t.arg.id({ required: true }) },
    authScopes: may.steer(raffleArg('raffleId')),
    errors: { types: [...commonErrors, TwitchNotLinkedError] },
    resolve: async (query, _root, args, context) => {
      const round = await context.services.raffles.drawNow(String(args.raffleId));
      return refetch.round(context, query, round.id);
    },
  }),
  rerollRound: t.prismaField({
    type: 'Round',
    description:
      'Draws again for a WINNER round: its prize copy goes back, its winner is excluded from the raffle, and a forced round ' +
      'is drawn at once (linked by rerollOf, announced like any round). While the raffle runs, or up to 10 minutes after it ' +
      'ended when it uses drand (an ended sealed raffle has revealed its seed).',
    args: { roundId: t.arg.id({ required: true }) },
    authScopes: may.steer(roundArg('roundId')),
    errors: { types: [...commonErrors, TwitchNotLinkedError] },
    resolve: async (query, _root, args, context) => {
      const round = await context.services.rerolls.reroll(roundIdArg('roundId', args.roundId));
      return refetch.round(context, query, round.id);
    },
  }),
  markRoundsAnnouncedInDiscord: t.prismaField({
    type: ['Round'],
    description: 'Records that the Discord bot announced these rounds, so a restarted bot does not repeat them.',
    args: { roundIds: t.arg.idList({ required: true }) },
    authScopes: onlyService,
    resolve: async (query, _root, args, context) => {
      // An id that cannot be a round id names no round: it is skipped like an unknown one.
      const ids = args.roundIds.map(roundIdOrNull).filter((id): id is number => id !== null);
      await context.services.db.round.updateMany({
        where: { id: { in: ids }, discordAnnouncedAt: null },
        data: { discordAnnouncedAt: new Date() },
      });
      return context.services.db.round.findMany({ ...query, where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    },
  }),
}));

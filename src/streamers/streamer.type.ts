import { may, onlyService, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { connectionCost, DECLARED_LIST_SIZE, PAGE_SIZE } from '../graphql/list-size';
import { checkCursorArgs } from '../graphql/id-args';
import { RaffleType } from '../raffles/raffle.type';

export const StreamerType = builder.prismaObject('Streamer', {
  description: 'A streamer: a Twitch channel, a Discord server (guild), or both (linked from either side).',
  fields: (t) => ({
    id: t.exposeID('id'),
    guildId: t.exposeString('guildId', { nullable: true, description: 'The Discord server; null for a Twitch-only streamer (connected on the dashboard).' }),
    twitchUserId: t.exposeString('twitchUserId', { nullable: true }),
    login: t.exposeString('login', { nullable: true }),
    displayName: t.exposeString('displayName', { nullable: true }),
    announceChannelId: t.exposeString('announceChannelId', { nullable: true }),
    locale: t.exposeString('locale'),
    linked: t.boolean({
      description: 'Whether a Twitch account is linked with working tokens.',
      select: { credential: { select: { streamerId: true } } },
      resolve: (streamer) => streamer.credential !== null,
    }),
    overlayUrl: t.string({
      description: 'The overlay page with its key. Visible to the service principal and this streamer only.',
      select: { id: true, overlayKeyEnc: true },
      authScopes: (streamer) => ({ watch: { streamerId: streamer.id } }),
      resolve: (streamer, _args, context) => context.services.streamers.overlayUrl(streamer),
    }),
    items: t.relation('items', {
      description: 'Prizes that are not removed, oldest first. Complete; costed as a list of ' + `${DECLARED_LIST_SIZE}.`,
      complexity: { field: 1, multiplier: DECLARED_LIST_SIZE },
      query: { where: { removedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
    }),
    activeRaffle: t.field({
      type: RaffleType,
      nullable: true,
      select: (_args, _context, nestedSelection) => ({
        raffles: nestedSelection({ where: { status: 'RUNNING' as const }, take: 1 }),
      }),
      resolve: (streamer) => streamer.raffles[0] ?? null,
    }),
    latestRound: t.prismaField({
      type: 'Round',
      nullable: true,
      description: 'The newest round of any raffle: where a client that starts now begins (see roundsSince).',
      resolve: (query, streamer, _args, context) =>
        context.services.db.round.findFirst({ ...query, where: { raffle: { streamerId: streamer.id } }, orderBy: { id: 'desc' } }),
    }),
    raffles: t.relatedConnection('raffles', {
      description: `Every raffle, newest first. Pages of ${PAGE_SIZE.default} raffles unless \`first\` asks for more, at most ${PAGE_SIZE.max}.`,
      cursor: 'id',
      complexity: connectionCost,
      query: (args) => {
        checkCursorArgs(args, 'text');
        return { orderBy: [{ startedAt: 'desc' }, { id: 'desc' }] };
      },
    }),
  }),
});

builder.queryFields((t) => ({
  streamer: t.prismaField({
    type: 'Streamer',
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    authScopes: may.watch(streamerArg('id')),
    resolve: (query, _root, args, context) =>
      context.services.db.streamer.findUnique({ ...query, where: { id: String(args.id) } }),
  }),
  streamerByGuild: t.prismaField({
    type: 'Streamer',
    nullable: true,
    args: { guildId: t.arg.string({ required: true }) },
    authScopes: onlyService,
    resolve: (query, _root, args, context) =>
      context.services.db.streamer.findUnique({ ...query, where: { guildId: args.guildId } }),
  }),
}));

import { NotFoundError, TwitchLinkError, TwitchNotConfiguredError, ValidationError } from '../errors/domain-errors';
import { may, onlyService, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { refetch } from '../graphql/refetch';
import type { LinkStarted } from './link/link.service';

const TwitchLinkStartedType = builder.objectRef<LinkStarted>('TwitchLinkStarted').implement({
  description: 'Where to send the streamer to approve the app on Twitch; single use, valid 10 minutes.',
  fields: (t) => ({
    authorizeUrl: t.exposeString('authorizeUrl'),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

builder.mutationFields((t) => ({
  startTwitchLink: t.field({
    type: TwitchLinkStartedType,
    description: "Starts linking the guild's streamer to a Twitch account (OAuth authorization code flow).",
    args: {
      guildId: t.arg.string({ required: true }),
      discordUserId: t.arg.string({ description: 'Who asked; completing with another user fails.' }),
    },
    authScopes: onlyService,
    errors: { types: [TwitchNotConfiguredError, ValidationError] },
    resolve: (_root, args, context) =>
      context.services.twitch.link.start({ guildId: args.guildId, discordUserId: args.discordUserId ?? null }),
  }),
  // No authScopes: the single-use state is the capability (the browser that comes back from
  // Twitch holds no API token).
  completeTwitchLink: t.prismaField({
    type: 'Streamer',
    description: 'Finishes a link with the code and state Twitch sent back (what GET /auth/twitch/callback does).',
    args: {
      code: t.arg.string({ required: true }),
      state: t.arg.string({ required: true }),
      guildId: t.arg.string({ description: 'When given, the link must have been started for this guild.' }),
      discordUserId: t.arg.string({ description: 'When given, the link must have been started by this user.' }),
    },
    errors: { types: [TwitchLinkError, TwitchNotConfiguredError] },
    resolve: async (query, _root, args, context) => {
      const streamer = await context.services.twitch.link.complete(args);
      return refetch.streamer(context, query, streamer.id);
    },
  }),
  unlinkTwitch: t.prismaField({
    type: 'Streamer',
    description: 'Revokes the Twitch tokens and deletes them; a running raffle stops with TWITCH_UNLINKED.',
    args: { streamerId: t.arg.id({ required: true }) },
    authScopes: may.manage(streamerArg('streamerId')),
    errors: { types: [NotFoundError, TwitchNotConfiguredError] },
    resolve: async (query, _root, args, context) => {
      const streamer = await context.services.streamers.require(String(args.streamerId));
      await context.services.twitch.link.unlink(streamer.id);
      return refetch.streamer(context, query, streamer.id);
    },
  }),
}));

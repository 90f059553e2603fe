import { NotFoundError, TwitchLinkError, TwitchNotConfiguredError, ValidationError } from '../errors/domain-errors';
import { may, onlyService, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { refetch } from '../graphql/refetch';
import type { LinkStarted } from './link/link.service';

const TwitchLinkStartedType = builder.objectRef<LinkStarted>('TwitchLinkStarted').implement({
  description: 'Where to send the streamer to approve the app on Twitch; single use, valid 10 minutes.',
  fields: (t) => ({
    authorizeUrl: t.exposeString('authorizeUrl', {
      description:
        "Our start page (/auth/twitch/start): it names the Discord server and the permissions, binds the link to the browser that presses its button, and sends that browser on to Twitch's consent page.",
    }),
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
      guildName: t.arg.string({ description: "The Discord server's name, shown on the start page (its id when not given)." }),
    },
    authScopes: onlyService,
    errors: { types: [TwitchNotConfiguredError, ValidationError] },
    resolve: (_root, args, context) =>
      context.services.twitch.link.start({ guildId: args.guildId, discordUserId: args.discordUserId ?? null, guildName: args.guildName ?? null }),
  }),
  // No authScopes: the single-use state is the capability (the browser that comes back from
  // Twitch holds no API token). But the state alone no longer links (issue 10 item 3): a mutation
  // has no browser cookie, so it must show the `binding` token the start page put in the cookie
  // of the browser that pressed its button, exactly as the callback does. Every link goes through
  // that page, so without the token the answer is BROWSER_MISMATCH and the code is not spent. The
  // token never leaves that browser's HttpOnly cookie: in practice the mutation serves clients
  // that play the browser themselves (tests, tools), and someone who only holds a state (or even
  // a code sent to another browser) cannot finish the link with it.
  completeTwitchLink: t.prismaField({
    type: 'Streamer',
    description:
      'Finishes a link with the code and state Twitch sent back and the binding token from the start page\'s cookie (what GET /auth/twitch/callback does). Without the binding of the browser that pressed the start page\'s button: TwitchLinkError BROWSER_MISMATCH.',
    args: {
      code: t.arg.string({ required: true }),
      state: t.arg.string({ required: true }),
      binding: t.arg.string({ description: 'The value of the kinoyu_twitch_link cookie the start page set.' }),
      guildId: t.arg.string({ description: 'When given, the link must have been started for this guild.' }),
      discordUserId: t.arg.string({ description: 'When given, the link must have been started by this user.' }),
    },
    errors: { types: [TwitchLinkError, TwitchNotConfiguredError] },
    resolve: async (query, _root, args, context) => {
      const { streamer } = await context.services.twitch.link.complete({ ...args, binding: args.binding ?? null });
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

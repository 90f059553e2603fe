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
  // No authScopes: the browser that comes back from Twitch holds no API token, and the contract
  // calls it with code + state only. The code is the capability: Twitch sends it only to our
  // registered redirect URI, i.e. to the browser at GET /auth/twitch/callback, and that route
  // refuses a browser without the start page's cookie (BROWSER_MISMATCH) without spending the
  // code, so someone who only holds a state (someone else's /link) cannot finish a link. The
  // callback keeps requiring the binding; here it is checked only when given (`binding`, the
  // cookie's value), and then it must match, else BROWSER_MISMATCH and the code is not spent.
  completeTwitchLink: t.prismaField({
    type: 'Streamer',
    description:
      'Finishes a link with the code and state Twitch sent back (what GET /auth/twitch/callback does); needs no token. The code is the capability: Twitch sends it only to our redirect URI. With `binding` (the start page\'s cookie), it must be the binding of the browser that pressed the start page\'s button, else TwitchLinkError BROWSER_MISMATCH and the code is not spent.',
    args: {
      code: t.arg.string({ required: true }),
      state: t.arg.string({ required: true }),
      binding: t.arg.string({ description: 'Optional: the value of the kinoyu_twitch_link cookie the start page set; when given it must match.' }),
      guildId: t.arg.string({ description: 'When given, the link must have been started for this guild.' }),
      discordUserId: t.arg.string({ description: 'When given, the link must have been started by this user.' }),
    },
    errors: { types: [TwitchLinkError, TwitchNotConfiguredError] },
    resolve: async (query, _root, args, context) => {
      const requireBinding = args.binding != null;
      const { streamer } = await context.services.twitch.link.complete({ ...args, binding: args.binding ?? null, requireBinding });
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

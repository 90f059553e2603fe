import { may, onlyService, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { commonErrors } from '../graphql/error-types';
import { refetch } from '../graphql/refetch';

builder.mutationFields((t) => ({
  registerGuild: t.prismaField({
    type: 'Streamer',
    description: 'The streamer record of a Discord guild, created (not yet linked to Twitch) when missing.',
    args: { guildId: t.arg.string({ required: true }) },
    authScopes: onlyService,
    errors: { types: [...commonErrors] },
    resolve: async (query, _root, args, context) => {
      const streamer = await context.services.streamers.ensureForGuild(args.guildId);
      return refetch.streamer(context, query, streamer.id);
    },
  }),
  setAnnounceChannel: t.prismaField({
    type: 'Streamer',
    description: 'The Discord channel where wins are announced; null stops Discord announcements.',
    args: { streamerId: t.arg.id({ required: true }), channelId: t.arg.string() },
    authScopes: may.steer(streamerArg('streamerId')),
    errors: { types: [...commonErrors] },
    resolve: async (query, _root, args, context) => {
      const streamer = await context.services.streamers.setAnnounceChannel(String(args.streamerId), args.channelId ?? null);
      return refetch.streamer(context, query, streamer.id);
    },
  }),
  rotateOverlayKey: t.prismaField({
    type: 'Streamer',
    description: 'A new overlay key; the old overlay URL stops working.',
    args: { streamerId: t.arg.id({ required: true }) },
    authScopes: may.steer(streamerArg('streamerId')),
    errors: { types: [...commonErrors] },
    resolve: async (query, _root, args, context) => {
      const streamer = await context.services.streamers.rotateOverlayKey(String(args.streamerId));
      // The new key has committed: this instance cuts its live connections opened with the old one
      // now, and every other instance does when the event reaches it.
      context.services.liveConnections.rotated(streamer.id);
      context.services.events.publish('overlayKeyRotated', 'all', { streamerId: streamer.id });
      return refetch.streamer(context, query, streamer.id);
    },
  }),
}));

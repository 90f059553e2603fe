import { may, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { commonErrors } from '../graphql/error-types';
import { refetch } from '../graphql/refetch';
import type { OverlaySettingsPatch } from './overlay-settings';
import { OverlaySettingsInputType } from './overlay.type';

const OverlayTestWinSentType = builder.objectRef<{ at: Date }>('OverlayTestWinSent').implement({
  description: 'The test win went out to the overlay pages (only to them: not stored, not announced, not a round).',
  fields: (t) => ({ at: t.expose('at', { type: 'DateTime' }) }),
});

builder.mutationFields((t) => ({
  updateOverlaySettings: t.prismaField({
    type: 'Streamer',
    description: 'Changes how the overlay page looks; open overlay pages apply it at once. Bad values: ValidationError, one problem per field.',
    args: {
      streamerId: t.arg.id({ required: true }),
      settings: t.arg({ type: OverlaySettingsInputType, required: true }),
    },
    authScopes: may.steer(streamerArg('streamerId')),
    errors: { types: [...commonErrors] },
    resolve: async (query, _root, args, context) => {
      const streamerId = String(args.streamerId);
      await context.services.overlay.updateSettings(streamerId, args.settings as OverlaySettingsPatch);
      return refetch.streamer(context, query, streamerId);
    },
  }),
  sendOverlayTestWin: t.field({
    type: OverlayTestWinSentType,
    description: "Shows a made-up win on the streamer's overlay pages (to set up the OBS source): no round, nothing stored or announced.",
    args: { streamerId: t.arg.id({ required: true }) },
    authScopes: may.steer(streamerArg('streamerId')),
    errors: { types: [...commonErrors] },
    resolve: (_root, args, context) => context.services.overlay.sendTestWin(String(args.streamerId)),
  }),
}));

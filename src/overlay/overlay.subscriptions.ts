import { may, streamerArg } from '../graphql/authorize';
import { builder } from '../graphql/builder';
import { OVERLAY_EVENT_KINDS, type OverlayEventMessage } from '../pubsub/topics';
import { OverlaySettingsType } from './overlay.type';

const OverlayEventKindType = builder.enumType('OverlayEventKind', {
  description: 'SETTINGS_CHANGED: the overlay settings changed (apply `settings`). TEST_WIN: show `testWin` (a test, not a round).',
  values: OVERLAY_EVENT_KINDS,
});

type TestWin = Extract<OverlayEventMessage, { kind: 'TEST_WIN' }>;

const OverlayTestWinType = builder.objectRef<TestWin>('OverlayTestWin').implement({
  description: 'A made-up win for setting up the overlay: show it like a win, marked as a test.',
  fields: (t) => ({
    itemName: t.exposeString('itemName'),
    winnerDisplayName: t.exposeString('winnerDisplayName'),
    reel: t.exposeStringList('reel', { description: 'Names for the reveal reel; it lands on winnerDisplayName.' }),
  }),
});

const OverlayEventType = builder.objectRef<OverlayEventMessage & { streamerId: string }>('OverlayEvent').implement({
  description: 'Something for the overlay page that is not a raffle event (the overlay studio).',
  fields: (t) => ({
    kind: t.field({ type: OverlayEventKindType, resolve: (event) => event.kind }),
    at: t.field({ type: 'DateTime', resolve: (event) => event.at }),
    settings: t.field({
      type: OverlaySettingsType,
      description: 'The overlay settings as they are now.',
      resolve: (event, _args, context) => context.services.overlay.settingsOf(event.streamerId),
    }),
    testWin: t.field({
      type: OverlayTestWinType,
      nullable: true,
      description: 'Set for TEST_WIN.',
      resolve: (event) => (event.kind === 'TEST_WIN' ? event : null),
    }),
  }),
});

builder.subscriptionFields((t) => ({
  overlayEvents: t.field({
    type: OverlayEventType,
    description: "The overlay studio's events for a streamer's overlay pages: settings changes and test wins (the overlay key may subscribe).",
    args: { streamerId: t.arg.id({ required: true }) },
    authScopes: may.watch(streamerArg('streamerId')),
    subscribe: (_root, args, context) => context.services.events.subscribe('overlayEvents', String(args.streamerId)),
    resolve: (event, args) => ({ ...event, streamerId: String(args.streamerId) }),
  }),
}));

import { builder } from '../graphql/builder';
import {
  DEFAULT_OVERLAY_SETTINGS,
  OVERLAY_FONTS,
  OVERLAY_LANGUAGES,
  OVERLAY_POSITIONS,
  OVERLAY_SCALE,
  resolveOverlaySettings,
  type OverlaySettings,
} from './overlay-settings';
import { REEL_MAX } from './overlay.service';

export const OverlayPositionType = builder.enumType('OverlayPosition', {
  description: 'Where on the 1920×1080 canvas the overlay shows its cards.',
  values: OVERLAY_POSITIONS,
});

export const OverlaySettingsType = builder.objectRef<OverlaySettings>('OverlaySettings').implement({
  description: "The overlay page's look. The page applies it at load and again on every SETTINGS_CHANGED event.",
  fields: (t) => ({
    position: t.field({ type: OverlayPositionType, resolve: (settings) => settings.position }),
    scale: t.exposeFloat('scale', { description: `${OVERLAY_SCALE.min} to ${OVERLAY_SCALE.max}; 1 is the designed size.` }),
    font: t.exposeString('font', { description: `One of overlayFonts (${OVERLAY_FONTS.join(', ')}).` }),
    textColor: t.exposeString('textColor', { description: '#rrggbb or #rrggbbaa.' }),
    accentColor: t.exposeString('accentColor', { description: '#rrggbb or #rrggbbaa.' }),
    backgroundColor: t.exposeString('backgroundColor', {
      description: `The cards' background: #rrggbb, #rrggbbaa or transparent (the default). The page itself is always transparent.`,
    }),
    language: t.exposeString('language', {
      nullable: true,
      description: `${OVERLAY_LANGUAGES.join(' or ')}; null: the streamer's locale.`,
    }),
  }),
});

export const OverlaySettingsInputType = builder.inputType('OverlaySettingsInput', {
  description: 'A change of the overlay settings: a field left out keeps its value, null resets it to its default.',
  fields: (t) => ({
    position: t.field({ type: OverlayPositionType }),
    scale: t.float({ description: `${OVERLAY_SCALE.min} to ${OVERLAY_SCALE.max}.` }),
    font: t.string({ description: `One of overlayFonts.` }),
    textColor: t.string({ description: `#rrggbb or #rrggbbaa (default ${DEFAULT_OVERLAY_SETTINGS.textColor}).` }),
    accentColor: t.string({ description: `#rrggbb or #rrggbbaa (default ${DEFAULT_OVERLAY_SETTINGS.accentColor}).` }),
    backgroundColor: t.string({ description: '#rrggbb, #rrggbbaa or transparent (default).' }),
    language: t.string({ description: `${OVERLAY_LANGUAGES.join(' or ')}; null: the streamer's locale.` }),
  }),
});

builder.prismaObjectFields('Streamer', (t) => ({
  overlaySettings: t.field({
    type: OverlaySettingsType,
    description: "How this streamer's overlay page looks (readable by its overlay key too).",
    select: { overlaySettings: true },
    resolve: (streamer) => resolveOverlaySettings(streamer.overlaySettings),
  }),
  overlayReelNames: t.stringList({
    description:
      `Display names for the overlay's reveal reel: some people in the live chat now, else the latest winners (at most ${REEL_MAX}). ` +
      'Never logins or ids.',
    args: { size: t.arg.int({ defaultValue: 12, description: `At most ${REEL_MAX}.` }) },
    complexity: { field: 5, multiplier: 1 },
    select: { id: true },
    resolve: (streamer, args, context) => context.services.overlay.reelNames(streamer.id, args.size ?? 12),
  }),
}));

builder.queryFields((t) => ({
  overlayFonts: t.stringList({
    description: 'The fonts OverlaySettings.font may name (local font stacks; the overlay page loads no web fonts).',
    resolve: () => [...OVERLAY_FONTS],
  }),
}));

import type { ResultOf, VariablesOf } from '../../graphql/graphql';
import type { OverlaySettingsFields, UpdateOverlaySettings } from './overlay.documents';

/** `Streamer.overlaySettings` as the studio edits it, and the input it sends back. */
export type OverlaySettings = ResultOf<typeof OverlaySettingsFields>;
export type OverlaySettingsInput = VariablesOf<typeof UpdateOverlaySettings>['settings'];
export type OverlayPosition = OverlaySettings['position'];

export const POSITIONS = ['TOP_LEFT', 'TOP_RIGHT', 'BOTTOM_LEFT', 'BOTTOM_RIGHT', 'CENTER'] as const satisfies readonly OverlayPosition[];
/** '' in the form: null, the streamer's own locale. */
export const LANGUAGES = ['pt-BR', 'en'] as const;

/**
 * The CSS each `overlayFonts` name stands for on the overlay page (clients/overlay/overlay.js
 * FONTS), for the preview; an unknown name previews as the system font, as the page does.
 */
export const PREVIEW_FONTS: Record<string, string> = {
  system: "system-ui, 'Segoe UI', Roboto, sans-serif",
  'sans-serif': "'Helvetica Neue', Arial, 'Liberation Sans', sans-serif",
  serif: "Georgia, 'Times New Roman', 'Liberation Serif', serif",
  monospace: "ui-monospace, 'Cascadia Mono', 'DejaVu Sans Mono', monospace",
  rounded: "ui-rounded, 'Nunito', 'Varela Round', 'Arial Rounded MT Bold', system-ui, sans-serif",
  condensed: "'Arial Narrow', 'Roboto Condensed', 'Liberation Sans Narrow', sans-serif",
};

export function previewFont(name: string): string {
  return PREVIEW_FONTS[name] ?? PREVIEW_FONTS.system!;
}

/** The whole form as the mutation's input (every field sent: what the form shows is what is stored). */
export function settingsInput(settings: OverlaySettings): OverlaySettingsInput {
  return {
    position: settings.position,
    scale: settings.scale,
    font: settings.font,
    textColor: settings.textColor,
    accentColor: settings.accentColor,
    backgroundColor: settings.backgroundColor,
    language: settings.language || null,
  };
}

/** #rrggbb of a #rrggbb / #rrggbbaa value for a colour picker (which knows no alpha), else null. */
export function pickerValue(colour: string): string | null {
  return /^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(colour) ? colour.slice(0, 7).toLowerCase() : null;
}

/**
 * `Streamer.overlaySettings` as the dashboard's server side defines it. Until that lands in
 * schema/schema.graphql gql.tada types the field as `unknown`; this is the shape the studio
 * narrows it to (and sends back as OverlaySettingsInput).
 */
export const POSITIONS = ['TOP_LEFT', 'TOP_RIGHT', 'BOTTOM_LEFT', 'BOTTOM_RIGHT', 'CENTER'] as const;
export type OverlayPosition = (typeof POSITIONS)[number];

export interface OverlaySettings {
  position: OverlayPosition;
  scale: number;
  font: string;
  textColor: string;
  accentColor: string;
  backgroundColor: string;
  language: string;
}

export const DEFAULT_SETTINGS: OverlaySettings = {
  position: 'BOTTOM_RIGHT',
  scale: 1,
  font: 'system-ui',
  textColor: '#ffffff',
  accentColor: '#7c5cff',
  backgroundColor: '#14121f',
  language: 'en',
};

export function asOverlaySettings(value: unknown): OverlaySettings {
  if (!value || typeof value !== 'object') return DEFAULT_SETTINGS;
  return { ...DEFAULT_SETTINGS, ...(value as Partial<OverlaySettings>) };
}

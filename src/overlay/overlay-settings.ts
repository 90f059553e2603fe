import { z } from 'zod';
import type { FieldProblem } from '../errors/domain-errors';

/**
 * The overlay page's look, per streamer (the overlay studio). Stored as JSON on the streamer
 * (null: the defaults); every value is checked here before it is stored, and read back through
 * `resolveOverlaySettings`, which falls back to the default for anything unreadable.
 */
export const OVERLAY_POSITIONS = ['TOP_LEFT', 'TOP_RIGHT', 'BOTTOM_LEFT', 'BOTTOM_RIGHT', 'CENTER'] as const;
export type OverlayPosition = (typeof OVERLAY_POSITIONS)[number];

/**
 * The fonts the page may use: local font stacks only (the page's CSP loads no web fonts), named
 * here and mapped to CSS by clients/overlay/overlay.js.
 */
export const OVERLAY_FONTS = ['system', 'sans-serif', 'serif', 'monospace', 'rounded', 'condensed'] as const;
export type OverlayFont = (typeof OVERLAY_FONTS)[number];

/** pt-BR or en; null: the streamer's locale. */
export const OVERLAY_LANGUAGES = ['pt-BR', 'en'] as const;
export type OverlayLanguage = (typeof OVERLAY_LANGUAGES)[number];

export const OVERLAY_SCALE = { min: 0.5, max: 3 } as const;

export interface OverlaySettings {
  position: OverlayPosition;
  scale: number;
  font: OverlayFont;
  textColor: string;
  accentColor: string;
  /** A colour, or `transparent` (the default: OBS shows the scene behind). */
  backgroundColor: string;
  language: OverlayLanguage | null;
}

export const DEFAULT_OVERLAY_SETTINGS: Readonly<OverlaySettings> = Object.freeze({
  position: 'CENTER',
  scale: 1,
  font: 'system',
  textColor: '#ffffff',
  accentColor: '#9146ff',
  backgroundColor: 'transparent',
  language: null,
});

/** #rrggbb or #rrggbbaa (alpha), any case. */
const COLOUR = /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/;

const colour = z.string().regex(COLOUR, 'a colour as #rrggbb or #rrggbbaa');
const fieldRules = {
  position: z.enum(OVERLAY_POSITIONS),
  scale: z
    .number()
    .refine(Number.isFinite, 'a number')
    .min(OVERLAY_SCALE.min, `at least ${OVERLAY_SCALE.min}`)
    .max(OVERLAY_SCALE.max, `at most ${OVERLAY_SCALE.max}`),
  font: z.enum(OVERLAY_FONTS, { message: `one of ${OVERLAY_FONTS.join(', ')}` }),
  textColor: colour,
  accentColor: colour,
  backgroundColor: z.union([z.literal('transparent'), colour], { message: 'transparent, or a colour as #rrggbb or #rrggbbaa' }),
  language: z.enum(OVERLAY_LANGUAGES, { message: `${OVERLAY_LANGUAGES.join(' or ')}, or null for the streamer's language` }).nullable(),
} satisfies { [K in keyof OverlaySettings]: z.ZodType<OverlaySettings[K]> };

const storedSettings = z.object(fieldRules).partial();

/**
 * A change: each field given replaces the stored one; null resets it to its default (for
 * `language`, the default is null: the streamer's locale); undefined keeps it.
 */
export type OverlaySettingsPatch = { [K in keyof OverlaySettings]?: (OverlaySettings[K] extends number ? number : string) | null };

/** The stored value with every missing or unreadable field at its default. */
export function resolveOverlaySettings(stored: unknown): OverlaySettings {
  const settings: Record<string, unknown> = { ...DEFAULT_OVERLAY_SETTINGS };
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return settings as unknown as OverlaySettings;
  for (const key of Object.keys(fieldRules) as Array<keyof OverlaySettings>) {
    const parsed = fieldRules[key].safeParse((stored as Record<string, unknown>)[key]);
    if (parsed.success) settings[key] = parsed.data;
  }
  return settings as unknown as OverlaySettings;
}

/** The settings after `patch`, or every problem of it (one per field, path ['settings', field]). */
export function applyOverlaySettingsPatch(
  current: OverlaySettings,
  patch: OverlaySettingsPatch,
): { ok: true; settings: OverlaySettings } | { ok: false; problems: FieldProblem[] } {
  const next: Record<string, unknown> = { ...current };
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(fieldRules) as Array<keyof OverlaySettings>) {
    const value = patch[key];
    if (value === undefined) continue;
    if (value === null) {
      next[key] = DEFAULT_OVERLAY_SETTINGS[key];
      continue;
    }
    const parsed = fieldRules[key].safeParse(typeof value === 'string' && key.endsWith('Color') ? value.trim() : value);
    if (parsed.success) next[key] = parsed.data;
    else problems.push({ path: ['settings', key], message: `${key} must be ${parsed.error.issues[0]?.message ?? 'valid'}` });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, settings: next as unknown as OverlaySettings };
}

/** What is stored: the settings as validated (storedSettings checks the shape once more). */
export function storableOverlaySettings(settings: OverlaySettings): { [key: string]: string | number | null } {
  return storedSettings.parse(settings) as { [key: string]: string | number | null };
}

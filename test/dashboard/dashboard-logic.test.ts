import { describe, expect, it } from 'vitest';
import { problemsByField } from '../../clients/dashboard/src/components/problems';
import { wilsonInterval } from '../../clients/dashboard/src/features/stats/wilson';
import { en } from '../../clients/dashboard/src/i18n/en';
import { ptBR } from '../../clients/dashboard/src/i18n/pt-BR';
import { readFile } from 'node:fs/promises';
import { pickerValue, PREVIEW_FONTS, previewFont, settingsInput } from '../../clients/dashboard/src/features/overlay-studio/overlay-settings';
import { DEFAULT_OVERLAY_SETTINGS, OVERLAY_FONTS } from '../../src/overlay/overlay-settings';

describe('the Wilson interval (odds chart)', () => {
  it('matches published values and stays inside [0, 1]', () => {
    // 8 of 10: Wilson 95% is about [0.490, 0.943].
    const { low, high } = wilsonInterval(8, 10);
    expect(low).toBeCloseTo(0.4902, 3);
    expect(high).toBeCloseTo(0.9433, 3);
    expect(wilsonInterval(0, 5).low).toBe(0);
    expect(wilsonInterval(0, 5).high).toBeGreaterThan(0.4);
    expect(wilsonInterval(5, 5).high).toBe(1);
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('narrows as trials grow, around the observed share', () => {
    const small = wilsonInterval(30, 100);
    const large = wilsonInterval(3000, 10000);
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(large.low).toBeLessThan(0.3);
    expect(large.high).toBeGreaterThan(0.3);
  });
});

describe('ValidationError problems by form field', () => {
  it('puts each problem at the field its path ends with; list roots and indexes go to the fallback', () => {
    expect(
      problemsByField(
        [
          { path: ['items', '0', 'weight'], message: 'weight must be a whole number' },
          { path: ['items', '0'], message: '"x" is listed twice' },
          { path: ['login'], message: 'unknown login' },
          { path: ['input', 'intervalSeconds'], message: 'too long' },
          { path: ['items'], message: 'give at least one item' },
        ],
        'name',
      ),
    ).toEqual({
      weight: 'weight must be a whole number',
      name: '"x" is listed twice; give at least one item',
      login: 'unknown login',
      intervalSeconds: 'too long',
    });
  });
});

describe('the dashboard strings', () => {
  it('pt-BR has every English key, none empty unless the English one is', () => {
    const keys = (value: unknown, prefix = ''): string[] =>
      typeof value === 'string' ? [prefix] : Object.entries(value as object).flatMap(([key, inner]) => keys(inner, prefix ? `${prefix}.${key}` : key));
    expect(keys(ptBR).sort()).toEqual(keys(en).sort());
  });
});

describe('the overlay studio', () => {
  it('previews every font the server offers with the CSS the overlay page uses for it', async () => {
    expect(Object.keys(PREVIEW_FONTS).sort()).toEqual([...OVERLAY_FONTS].sort());
    const overlayPage = await readFile(new URL('../../clients/overlay/overlay.js', import.meta.url), 'utf8');
    for (const [name, css] of Object.entries(PREVIEW_FONTS)) expect(overlayPage, name).toMatch(new RegExp(`['"]?${name}['"]?: "${css.replace(/[()]/g, '\\$&')}"`));
    expect(previewFont('no-such-font')).toBe(PREVIEW_FONTS.system);
  });

  it('sends the whole form, the streamer\'s language as null; the picker gets #rrggbb or nothing', () => {
    const input = settingsInput({ ...DEFAULT_OVERLAY_SETTINGS, language: '' as never });
    expect(input).toEqual({ ...DEFAULT_OVERLAY_SETTINGS, language: null });
    expect(settingsInput({ ...DEFAULT_OVERLAY_SETTINGS, language: 'pt-BR' }).language).toBe('pt-BR');
    expect(pickerValue('#AABBCC80')).toBe('#aabbcc');
    expect(pickerValue('#aabbcc')).toBe('#aabbcc');
    expect(pickerValue('transparent')).toBeNull();
    expect(pickerValue('red')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { applyOverlaySettingsPatch, DEFAULT_OVERLAY_SETTINGS, resolveOverlaySettings } from '../../src/overlay/overlay-settings';
import { topicGuards } from '../../src/pubsub/topics';

describe('overlay settings rules', () => {
  it('reads stored JSON field by field: unreadable fields fall back to their default', () => {
    expect(resolveOverlaySettings(null)).toEqual(DEFAULT_OVERLAY_SETTINGS);
    expect(resolveOverlaySettings([1, 2])).toEqual(DEFAULT_OVERLAY_SETTINGS);
    expect(resolveOverlaySettings({ scale: 9, font: 'serif', textColor: 'javascript:alert(1)', language: 'en', position: 'NOWHERE' })).toEqual({
      ...DEFAULT_OVERLAY_SETTINGS,
      font: 'serif',
      language: 'en',
    });
  });

  it.each([
    ['#aabbcc', true],
    ['#AABBCC80', true],
    [' #aabbcc ', true],
    ['#abc', false],
    ['aabbcc', false],
    ['#aabbccd', false],
    ['red', false],
    ['rgb(0,0,0)', false],
    ['#aabbcc;background:url(x)', false],
  ])('colour %j accepted: %s', (value, ok) => {
    expect(applyOverlaySettingsPatch(DEFAULT_OVERLAY_SETTINGS, { textColor: value }).ok).toBe(ok);
  });

  it('scale bounds 0.5 and 3 are inside; NaN and Infinity are not', () => {
    for (const scale of [0.5, 3, 1.25]) expect(applyOverlaySettingsPatch(DEFAULT_OVERLAY_SETTINGS, { scale }).ok).toBe(true);
    for (const scale of [0.49, 3.01, Number.NaN, Number.POSITIVE_INFINITY]) expect(applyOverlaySettingsPatch(DEFAULT_OVERLAY_SETTINGS, { scale }).ok).toBe(false);
  });

  it('backgroundColor may be transparent; only it', () => {
    expect(applyOverlaySettingsPatch(DEFAULT_OVERLAY_SETTINGS, { backgroundColor: 'transparent' }).ok).toBe(true);
    expect(applyOverlaySettingsPatch(DEFAULT_OVERLAY_SETTINGS, { textColor: 'transparent' }).ok).toBe(false);
  });

  it('one problem per bad field, each at its path; good fields of a bad patch change nothing', () => {
    const result = applyOverlaySettingsPatch(DEFAULT_OVERLAY_SETTINGS, { font: 'papyrus', language: 'de', scale: 2 });
    expect(result).toEqual({
      ok: false,
      problems: [
        { path: ['settings', 'font'], message: expect.stringMatching(/^font must be one of system, sans-serif/) },
        { path: ['settings', 'language'], message: expect.stringMatching(/^language must be pt-BR or en/) },
      ],
    });
  });

  it('undefined keeps a field, null resets it to its default', () => {
    const current = { ...DEFAULT_OVERLAY_SETTINGS, scale: 2, language: 'en' as const, font: 'serif' as const };
    expect(applyOverlaySettingsPatch(current, { scale: null, language: null })).toEqual({
      ok: true,
      settings: { ...current, scale: 1, language: null },
    });
  });
});

describe('the overlayEvents topic guard (payloads from Redis)', () => {
  const guard = topicGuards.overlayEvents;
  it('passes the two kinds and drops anything else', () => {
    const at = new Date().toISOString();
    expect(guard({ kind: 'SETTINGS_CHANGED', at })).toBe(true);
    expect(guard({ kind: 'TEST_WIN', at, itemName: 'x', winnerDisplayName: 'y', reel: ['a', 'y'] })).toBe(true);
    expect(guard({ kind: 'TEST_WIN', at, itemName: 'x', winnerDisplayName: 'y', reel: [1] })).toBe(false);
    expect(guard({ kind: 'TEST_WIN', at, itemName: 'x', reel: [] })).toBe(false);
    expect(guard({ kind: 'TEST_WIN', at, itemName: 'x', winnerDisplayName: 'y', reel: Array(65).fill('n') })).toBe(false);
    expect(guard({ kind: 'SETTINGS_CHANGED', at: 'yesterday' })).toBe(false);
    expect(guard({ kind: 'ROUND', at })).toBe(false);
    expect(guard(null)).toBe(false);
  });
});

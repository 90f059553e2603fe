import { describe, expect, it } from 'vitest';
import { en } from '../../clients/discord-bot/i18n/en';
import { formatDuration, formatPercent, localizations, messagesFor } from '../../clients/discord-bot/i18n';
import { ptBR } from '../../clients/discord-bot/i18n/pt-BR';

describe('i18n', () => {
  it('answers English clients in English and everyone else in pt-BR (the default)', () => {
    expect(messagesFor('en-US')).toBe(en);
    expect(messagesFor('en-GB')).toBe(en);
    expect(messagesFor('pt-BR')).toBe(ptBR);
    expect(messagesFor('es-ES')).toBe(ptBR);
    expect(messagesFor(undefined)).toBe(ptBR);
    expect(messagesFor(null)).toBe(ptBR);
  });

  it('has the same keys in both catalogs, and no empty text', () => {
    const shape = (value: unknown, path = ''): string[] => {
      if (typeof value === 'function') return [`${path}()`];
      if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, child]) => shape(child, `${path}.${key}`));
      expect(value, path).toBeTruthy();
      return [path];
    };
    expect(shape(en).sort()).toEqual(shape(ptBR).sort());
  });

  it('the two catalogs really differ where people read them', () => {
    expect(en.errors.forbidden).toContain('Manage Server');
    expect(ptBR.errors.forbidden).toContain('Gerenciar Servidor');
    expect(en.errors.notRegistered).toContain('/link');
    expect(ptBR.errors.notRegistered).toContain('/iniciar');
    expect(localizations((m) => m.commands.raffle.start)).toEqual({ en: en.commands.raffle.start, 'pt-BR': ptBR.commands.raffle.start });
  });

  it('formats percentages and durations per locale', () => {
    expect(formatPercent(en, 0.25)).toBe('25%');
    expect(formatPercent(ptBR, 0.125)).toMatch(/^12,5\s?%$/);
    expect(formatDuration(en, 45)).toBe('45 s');
    expect(formatDuration(en, 90)).toBe('1 min 30 s');
    expect(formatDuration(ptBR, 3600 + 120)).toBe('1 h 2 min');
  });
});

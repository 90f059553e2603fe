import { en } from './en';
import { ptBR, type Messages } from './pt-BR';

export type { Messages };

/** pt-BR is the default; any English client locale (en-US, en-GB) gets English. */
export function messagesFor(locale: string | null | undefined): Messages {
  return locale?.toLowerCase().startsWith('en') ? en : ptBR;
}

/** `0.25` → `25%` (or `25 %`), in the catalog's locale. */
export function formatPercent(messages: Messages, fraction: number): string {
  return new Intl.NumberFormat(messages.locale, { style: 'percent', maximumFractionDigits: 1 }).format(fraction);
}

/** 90 → "1 min 30 s". */
export function formatDuration(messages: Messages, totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds < 60) return messages.format.seconds(seconds);
  if (seconds < 3600) return messages.format.minutes(Math.floor(seconds / 60), seconds % 60);
  return messages.format.hours(Math.floor(seconds / 3600), Math.floor((seconds % 3600) / 60));
}

/** The pt-BR and English texts of one message, for Discord's `*_localizations` fields. */
export function localizations(pick: (messages: Messages) => string): { en: string; 'pt-BR': string } {
  return { en: pick(en), 'pt-BR': pick(ptBR) };
}

import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { ptBR } from './pt-BR';

export const LANGUAGES = ['en', 'pt-BR'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'kinoyu.dashboard.lang';

/** The kept choice, else the browser's language (Portuguese → pt-BR, anything else → en). */
export function initialLanguage(): Language {
  const kept = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (kept === 'en' || kept === 'pt-BR') return kept;
  const browser = globalThis.navigator?.languages?.[0] ?? globalThis.navigator?.language ?? 'en';
  return browser.toLowerCase().startsWith('pt') ? 'pt-BR' : 'en';
}

export function setLanguage(language: Language): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
  void i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

export function initI18n() {
  const lng = initialLanguage();
  document.documentElement.lang = lng;
  return i18next.use(initReactI18next).init({
    lng,
    fallbackLng: 'en',
    resources: { en: { translation: en }, 'pt-BR': { translation: ptBR } },
    interpolation: { escapeValue: false },
  });
}

/**
 * Dutch and English texts of the dashboard. English is the key set; Dutch must define every key (the type
 * checks it). The language follows the user's choice, then the browser, and defaults to Dutch.
 */
import { en } from './i18n/en.ts';
import { nl } from './i18n/nl.ts';

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;

export type Language = 'nl' | 'en';
const catalogues: Record<Language, Messages> = { en, nl };
const STORAGE_KEY = 'beeldpoort.language';

let current: Language = initialLanguage();

function initialLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'nl' || stored === 'en') return stored;
  } catch {
    // storage may be unavailable (privacy mode): fall through to the browser's language
  }
  const preferred = navigator.languages?.[0] ?? navigator.language ?? 'nl';
  return preferred.toLowerCase().startsWith('en') ? 'en' : 'nl';
}

export function language(): Language {
  return current;
}

export function setLanguage(next: Language): void {
  current = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered, still applied
  }
}

/** The text for `key` in the current language with {name} placeholders filled in. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  return catalogues[current][key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

export function locale(): string {
  return current === 'nl' ? 'nl-NL' : 'en-GB';
}

/**
 * A tiny message catalogue: one flat dictionary per language, `{name}` placeholders, the browser's language as
 * the default and a switch that re-renders. Generic on purpose: the sender page and the dashboard each bring
 * their own catalogue. Static text in the HTML carries `data-i18n="key"` (textContent) or
 * `data-i18n-attr="attr:key;attr:key"` and is refreshed by `applyStatic`.
 */

export type Catalog<K extends string> = Readonly<Record<K, string>>;

export interface I18n<K extends string, L extends string> {
  readonly languages: readonly L[];
  lang(): L;
  setLang(lang: L): void;
  /** The message for `key` in the current language with `{name}` placeholders filled in. */
  t(key: K, vars?: Readonly<Record<string, string | number>>): string;
  /** BCP 47 tag for Intl formatting (nl-NL, en-GB). */
  locale(): string;
  onChange(listener: (lang: L) => void): void;
}

export interface I18nOptions<K extends string, L extends string> {
  catalogs: Readonly<Record<L, Catalog<K>>>;
  /** Intl locale per language. */
  locales: Readonly<Record<L, string>>;
  fallback: L;
  /** localStorage key that remembers an explicit choice. */
  storageKey?: string;
}

/** Picks the first of the browser's preferred languages we have, else the fallback. */
export function pickLanguage<L extends string>(preferred: readonly string[], available: readonly L[], fallback: L): L {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    const match = available.find((lang) => lang === base);
    if (match) return match;
  }
  return fallback;
}

export function fill(template: string, vars: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

export function createI18n<K extends string, L extends string>(options: I18nOptions<K, L>): I18n<K, L> {
  const languages = Object.keys(options.catalogs) as L[];
  const stored = readStored(options.storageKey);
  let current: L = stored && languages.includes(stored as L)
    ? (stored as L)
    : pickLanguage(typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language], languages, options.fallback);
  const listeners: Array<(lang: L) => void> = [];
  return {
    languages,
    lang: () => current,
    setLang(lang) {
      if (!languages.includes(lang) || lang === current) return;
      current = lang;
      if (options.storageKey) {
        try {
          localStorage.setItem(options.storageKey, lang);
        } catch {
          // Private mode or storage disabled: the choice lasts for this page only.
        }
      }
      for (const listener of listeners) listener(lang);
    },
    t: (key, vars) => fill(options.catalogs[current][key] ?? options.catalogs[options.fallback][key] ?? key, vars),
    locale: () => options.locales[current],
    onChange: (listener) => void listeners.push(listener),
  };
}

function readStored(key: string | undefined): string | null {
  if (!key) return null;
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Refreshes every `data-i18n` / `data-i18n-attr` element under root, and the document's lang attribute. */
export function applyStatic<K extends string>(root: ParentNode, i18n: I18n<K, string>): void {
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    element.textContent = i18n.t(element.dataset.i18n as K);
  }
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n-attr]')) {
    for (const pair of (element.dataset.i18nAttr ?? '').split(';')) {
      const [attr, key] = pair.split(':');
      if (attr && key) element.setAttribute(attr.trim(), i18n.t(key.trim() as K));
    }
  }
  if (typeof document !== 'undefined') document.documentElement.lang = i18n.lang();
}

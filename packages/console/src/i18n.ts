import { useSyncExternalStore } from 'react';

/**
 * The console's languages (English and Thai, as the hosted pages). Each screen keeps its own phrases next to its
 * code — `const phrases = definePhrases({ en: {...}, th: {...} })` — so screens never share one big dictionary, and
 * the type checker makes sure the Thai list has every English key. `{name}` in a phrase is replaced by `vars.name`.
 */
export type Language = 'en' | 'th';
export const languages: Array<{ code: Language; label: string }> = [
  { code: 'en', label: 'English' },
  { code: 'th', label: 'ไทย' },
];

const storageKey = 'gatehouse.console.language';
const listeners = new Set<() => void>();

const initialLanguage = (): Language => {
  const stored = globalThis.localStorage?.getItem(storageKey);
  if (stored === 'en' || stored === 'th') return stored;
  return globalThis.navigator?.language?.toLowerCase().startsWith('th') ? 'th' : 'en';
};

let current: Language = initialLanguage();
if (typeof document !== 'undefined') document.documentElement.lang = current;

export const getLanguage = () => current;

export const setLanguage = (language: Language) => {
  current = language;
  globalThis.localStorage?.setItem(storageKey, language);
  if (typeof document !== 'undefined') document.documentElement.lang = language;
  for (const listener of listeners) listener();
};

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useLanguage = (): Language => useSyncExternalStore(subscribe, getLanguage, getLanguage);

export type Phrases<K extends string> = { en: Record<K, string>; th: Record<K, string> };

/** Declares a screen's phrases; the Thai record must have exactly the English keys. */
export const definePhrases = <K extends string>(phrases: {
  en: Record<K, string>;
  th: Record<NoInfer<K>, string>;
}) => phrases as Phrases<K>;

/** Fills `{name}` placeholders. Unknown placeholders stay as they are (a visible mistake, not a silent one). */
export const format = (text: string, vars: Record<string, string | number> = {}) =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));

/** A translator for one language: what components get from `useT`, and what tests can call directly. */
export const translator =
  <K extends string>(phrases: Phrases<K>, language: Language) =>
  (key: K, vars?: Record<string, string | number>) =>
    format(phrases[language][key] ?? phrases.en[key], vars);

/** The translator for the console's current language; re-renders the component when the language changes. */
export const useT = <K extends string>(phrases: Phrases<K>) => translator(phrases, useLanguage());

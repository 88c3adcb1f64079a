import { en, type Catalog, type MessageKey } from './en';
import { fr } from './fr';
import type { Language } from './language';

const catalogs: Record<Language, Catalog> = { en, fr };

export type MessageParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

/** The text of `key` in `language`, with each `{name}` replaced by params.name (left as is when not given). */
export function translate(language: Language, key: MessageKey, params?: MessageParams): string {
  const text = catalogs[language][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** Whether the catalog has a key: error codes are looked up by name at run time. */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

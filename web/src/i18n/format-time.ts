import type { Language } from './language';

const formats = new Map<string, Intl.DateTimeFormat>();

function format(language: Language, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${language}:${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(language, options)));
  return f;
}

/** A message's time as people read it: the time of day today, the date and time before. */
export function shortTime(iso: string, language: Language, now = new Date()): string {
  const at = new Date(iso);
  if (at.toDateString() === now.toDateString()) return format(language, { timeStyle: 'short' }).format(at);
  return format(language, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** The full date and time, for the title of a shortened one. */
export function fullTime(iso: string, language: Language): string {
  return format(language, { dateStyle: 'full', timeStyle: 'medium' }).format(new Date(iso));
}

/** A time from a message or the payments API in the reader's language; a text that is no time is shown as written. */
export function formatDateTime(language: Language, value: string, style: 'date' | 'dateTime' = 'dateTime'): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return value;
  const options: Intl.DateTimeFormatOptions =
    style === 'dateTime' ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
  return format(language, options).format(time);
}

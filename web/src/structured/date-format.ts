/** A time from a message or the payments API in the reader's language; a text that is no time is shown as written. */
export function formatDateTime(language: string, value: string, style: 'date' | 'dateTime' = 'dateTime'): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) return value;
  return new Intl.DateTimeFormat(language, {
    dateStyle: 'medium',
    ...(style === 'dateTime' ? { timeStyle: 'short' as const } : {}),
  }).format(time);
}

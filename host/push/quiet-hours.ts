import type { QuietHours } from '../../sdk/protocol/push.js';

export type { QuietHours };

export const TIME_OF_DAY_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

/** Formatters by canonical zone name: building one costs far more than using it, and there are a few hundred zones. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The zone's canonical IANA name ("europe/paris" → "Europe/Paris"), or null when Intl does not know it. */
export function canonicalTimeZone(timeZone: string): string | null {
  try {
    // Not cached: what people type comes in many spellings of the same zone.
    return new Intl.DateTimeFormat('en-GB', { timeZone }).resolvedOptions().timeZone;
  } catch {
    // Intl throws a RangeError for a zone it does not know: that is the answer.
    return null;
  }
}

function minutes(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** Minutes since local midnight at `at` (epoch ms) in a zone canonicalTimeZone accepted. */
export function localMinutes(timeZone: string, at: number): number {
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(at)) {
    if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/** Whether `at` falls in the quiet hours: from start (included) to end (excluded), across midnight when end < start. */
export function inQuietHours(quiet: QuietHours, at: number): boolean {
  const now = localMinutes(quiet.timeZone, at);
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

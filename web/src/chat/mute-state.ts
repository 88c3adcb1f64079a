import { shortTime } from '../i18n/format-time';
import type { Language } from '../i18n/language';
import type { Translate } from '../i18n/translate';

const HOUR_MS = 3_600_000;
/** "forever" comes back as the year 9999: anything this far off is "until you unmute". */
const FOREVER_AFTER_MS = 50 * 365 * 24 * HOUR_MS;

/** Whether a conversation's `mutedUntil` (an ISO time, or null) still mutes it now. */
export function isMuted(mutedUntil: string | null | undefined, now = Date.now()): boolean {
  return mutedUntil != null && Date.parse(mutedUntil) > now;
}

/** A muted conversation's state in words ("Muted until 9:30 PM"); null while it is not muted. */
export function mutedNote(t: Translate, language: Language, mutedUntil: string | null | undefined): string | null {
  if (!isMuted(mutedUntil)) return null;
  const forever = Date.parse(mutedUntil!) - Date.now() > FOREVER_AFTER_MS;
  return forever ? t('chat.mute.forever') : t('chat.mute.until', { time: shortTime(mutedUntil!, language) });
}

/** The ISO time `hours` from now. */
export const inHours = (hours: number) => new Date(Date.now() + hours * HOUR_MS).toISOString();

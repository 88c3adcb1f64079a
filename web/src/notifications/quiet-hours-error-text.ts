import { errorText, fieldsOf } from '../i18n/error-text';
import type { MessageKey } from '../i18n/en';
import type { Translate } from '../i18n/translate';

export type QuietField = 'start' | 'end' | 'timeZone';

interface Detail {
  path?: unknown;
  message?: unknown;
}

/** The field the host's refusal names (`details[].path`, docs/protocol.md "Quiet hours"), if any. */
export function refusedField(error: unknown): { field: QuietField; sameTimes: boolean } | null {
  if (fieldsOf(error).code !== 'invalid_request') return null;
  const details = (error as { details?: unknown }).details;
  if (!Array.isArray(details)) return null;
  for (const detail of details as Detail[]) {
    const match = /^\/quietHours\/(start|end|timeZone)$/.exec(String(detail?.path));
    if (match) return { field: match[1] as QuietField, sameTimes: detail.message === 'equals start' };
  }
  return null;
}

/** A refusal of the quiet hours in words: which value, and what to do; anything else as the app puts it. */
export function quietHoursErrorText(t: Translate, error: unknown): string {
  const refused = refusedField(error);
  if (!refused) return errorText(t, error, ['notifications']);
  const key: MessageKey =
    refused.field === 'timeZone'
      ? 'notifications.quiet.error.timeZone'
      : refused.sameTimes
        ? 'notifications.quiet.error.sameTimes'
        : 'notifications.quiet.error.time';
  return t(key);
}

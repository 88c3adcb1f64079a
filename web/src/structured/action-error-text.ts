import { errorText, fieldsOf } from '../i18n/error-text';
import { isMessageKey, type Translate } from '../i18n/translate';

/**
 * A failed tap, menu item or payment in words. Plugins answer with codes of their own (payments:
 * `pin_invalid`, `insufficient_funds`…; business: `thread_not_found`…) that the app's catalog does
 * not know: their sentences are `structured.error.<code>` and `money.error.<code>`. Anything else
 * is the app's errorText.
 */
export function actionErrorText(t: Translate, error: unknown): string {
  const { code } = fieldsOf(error);
  for (const key of [`structured.error.${code}`, `money.error.${code}`]) {
    if (isMessageKey(key)) return [t(key), ...extraOf(t, code, error)].join(' ');
  }
  return errorText(t, error);
}

/** What a payments refusal's details add: the PIN attempts left, or how long payments stay locked. */
function extraOf(t: Translate, code: string, error: unknown): string[] {
  const details = (error as { pluginDetails?: Record<string, unknown> }).pluginDetails ?? {};
  if (code === 'pin_invalid' && typeof details.attemptsLeft === 'number')
    return [t('money.error.attemptsLeft', { count: details.attemptsLeft })];
  if (code === 'pin_locked' && typeof details.retryAfterMs === 'number')
    return [t('money.error.lockedFor', { minutes: Math.max(1, Math.ceil(details.retryAfterMs / 60_000)) })];
  return [];
}

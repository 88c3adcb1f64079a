import { errorTextWith, fieldsOf } from './error-text';
import type { Translate } from './translate';

/**
 * Plugins answer with codes of their own (payments: `pin_invalid`, `insufficient_funds`…; business:
 * `thread_not_found`…) that the app's catalog does not know: their sentences are
 * `structured.error.<code>` and `money.error.<code>`.
 */
const pluginErrorText = errorTextWith('structured', 'money');

/** A failed tap, menu item or payment in words, with what a payments refusal's details add. */
export function actionErrorText(t: Translate, error: unknown): string {
  return [pluginErrorText(t, error), ...extraOf(t, error)].join(' ');
}

/** The PIN attempts left, or how long payments stay locked. */
function extraOf(t: Translate, error: unknown): string[] {
  const { code } = fieldsOf(error);
  const details = (error as { pluginDetails?: Record<string, unknown> } | null)?.pluginDetails ?? {};
  if (code === 'pin_invalid' && typeof details.attemptsLeft === 'number')
    return [t('money.error.attemptsLeft', { count: details.attemptsLeft })];
  if (code === 'pin_locked' && typeof details.retryAfterMs === 'number')
    return [t('money.error.lockedFor', { minutes: Math.max(1, Math.ceil(details.retryAfterMs / 60_000)) })];
  return [];
}

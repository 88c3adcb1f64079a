import { LocalError } from '../chat/local-error';
import { fieldsOf } from '../i18n/error-text';
import { isMessageKey, type Translate } from '../i18n/translate';
import { actionErrorText } from '../structured/action-error-text';

/**
 * A failure in the console in words: the client's own (an unknown handle), the business plugin's
 * codes an agent meets (`agent.error.<code>`), else as taps and the app put them.
 */
export function agentErrorText(t: Translate, error: unknown): string {
  if (error instanceof LocalError) return t(error.key, error.params);
  const key = `agent.error.${fieldsOf(error).code}`;
  return isMessageKey(key) ? t(key) : actionErrorText(t, error);
}

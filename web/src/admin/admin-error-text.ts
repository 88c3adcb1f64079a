import { LocalError } from '../chat/local-error';
import { fieldsOf } from '../i18n/error-text';
import { isMessageKey, type Translate } from '../i18n/translate';
import { actionErrorText } from '../structured/action-error-text';

/**
 * A failure of the operator's console in words: what the console found itself (a LocalError), the
 * console's own sentence for the code (`admin.error.<code>`: a refused admin token, a plugin that
 * cannot start), else what the app says for the host's and the plugins' codes.
 */
export function adminErrorText(t: Translate, error: unknown): string {
  if (error instanceof LocalError) return t(error.key, error.params);
  const key = `admin.error.${fieldsOf(error).code}`;
  if (isMessageKey(key)) return t(key);
  return actionErrorText(t, error);
}

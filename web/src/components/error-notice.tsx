import { errorText } from '../i18n/error-text';
import { useI18n } from '../i18n/i18n-context';
import type { Translate } from '../i18n/translate';

/**
 * A failure in words. The live region is always there (empty without an error), so a new error is
 * read out. `describe` puts the error in words when a screen knows more codes than the app's catalog.
 */
export function ErrorNotice({
  error,
  id,
  describe = errorText,
}: {
  error: unknown;
  id?: string;
  describe?: (t: Translate, error: unknown) => string;
}) {
  const { t } = useI18n();
  return (
    <p class="error-notice" role="alert" id={id}>
      {error === null || error === undefined ? null : describe(t, error)}
    </p>
  );
}

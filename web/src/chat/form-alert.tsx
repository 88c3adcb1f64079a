import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { LocalError } from './local-error';

/** A chat form's failure in words: the client's own (an unknown handle, named) or the host's. */
export function FormAlert({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error instanceof LocalError) {
    return (
      <p class="error-notice" role="alert">
        {t(error.key, error.params)}
      </p>
    );
  }
  return <ErrorNotice error={error} />;
}

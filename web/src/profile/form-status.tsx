import { ErrorNotice } from '../components/error-notice';
import type { Translate } from '../i18n/translate';

/**
 * How a profile form is doing, under its fields: its failure (an alert) and what it is doing or
 * has done (a status). Both live regions are always there, so each new word is read out.
 */
export function FormStatus({
  error,
  describe,
  status,
}: {
  error: unknown;
  describe?: (t: Translate, error: unknown) => string;
  status: string | null;
}) {
  return (
    <>
      <ErrorNotice error={error} describe={describe} />
      <p role="status" class="profile-status">
        {status}
      </p>
    </>
  );
}

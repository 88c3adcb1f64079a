import { ErrorNotice } from '../components/error-notice';
import { adminErrorText } from './admin-error-text';

/** A console failure in words (ErrorNotice with the console's sentences). */
export function AdminAlert({ error }: { error: unknown }) {
  return <ErrorNotice error={error} describe={adminErrorText} />;
}

/** What an action did, in words, read out politely (empty until there is something to say). */
export function AdminStatus({ text }: { text: string | null }) {
  return (
    <p class="admin-status" role="status">
      {text}
    </p>
  );
}

import { useI18n } from '../i18n/i18n-context';
import { ErrorNotice } from '../components/error-notice';
import { errorTextWith } from '../i18n/error-text';
import { useSignedIn } from '../session/session-context';
import type { StagedUploads } from './use-staged-uploads';

/** An upload's refusal in words: the host's attachment codes first (attachments.error.*). */
const uploadErrorText = errorTextWith('attachments');

/**
 * The files waiting to go with the next message: a preview (for images) and the name, the upload's
 * progress, and a way to remove each. A file put back (a refused send's) is named once the host
 * says what it is, or said to be gone when the host no longer keeps it.
 */
export function StagedFiles({ staged }: { staged: StagedUploads }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  if (staged.files.length === 0) return null;
  return (
    <ul class="staged-files" aria-label={t('attachments.staged')}>
      {staged.files.map((f) => {
        const name = f.name ?? t(f.error === null ? 'attachments.fetching' : 'attachments.unavailable');
        return (
          <li key={f.key}>
            {f.view?.thumbnailUrl ? (
              <img src={client.http.fileUrl(f.view.thumbnailUrl)} alt="" width={48} height={48} />
            ) : null}
            {/* The name under a preview too: two photos can look alike at 48 px. */}
            <span class="staged-name">{name}</span>
            {f.view === null && f.error === null && f.name !== null ? (
              <progress value={f.progress} max={1} aria-label={t('attachments.uploading', { name })} />
            ) : null}
            <ErrorNotice error={f.error} describe={uploadErrorText} />
            <button type="button" onClick={() => staged.remove(f.key)}>
              {t('attachments.remove')}
              <span class="sr-only"> {name}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

import { useEffect, useRef } from 'preact/hooks';
import type { Attachment } from '../../../sdk/protocol/message.js';
import { ErrorNotice } from '../components/error-notice';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';

/**
 * An image at full size in a modal dialog (the browser's <dialog>: focus stays inside, Escape
 * closes). Its URL is asked for afresh: one from the cache may be about to expire.
 */
export function ImageViewer({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const dialog = useRef<HTMLDialogElement>(null);
  const view = useLoad(() => client.http.attachment(attachment.id), [client, attachment.id]);
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
  }, []);
  return (
    <dialog
      ref={dialog}
      class="image-viewer"
      aria-label={t('attachments.viewer', { name: attachment.name })}
      onClose={onClose}
    >
      <button type="button" onClick={() => dialog.current?.close()}>
        {t('attachments.close')}
      </button>
      <ErrorNotice error={view.error} />
      {view.data ? (
        <img
          src={client.http.fileUrl(view.data.url)}
          alt={attachment.name}
          width={attachment.width ?? undefined}
          height={attachment.height ?? undefined}
        />
      ) : (
        <p role="status">{t('app.loading')}</p>
      )}
    </dialog>
  );
}

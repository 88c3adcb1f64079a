import { useEffect, useRef } from 'preact/hooks';
import type { Attachment } from '../../../sdk/protocol/message.js';
import { ErrorNotice } from '../components/error-notice';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { sizeText } from './size-text';

/**
 * An image as large as the screen allows (a small one at its own size), over the page darkened, in
 * a modal dialog (the browser's <dialog>: focus stays inside, Escape closes), with its file's name
 * and a link to download it. A click on the darkened space around the image closes it too. Its
 * URL is asked for afresh: one from the cache may be about to expire.
 */
export function ImageViewer({ attachment, onClose }: { attachment: Attachment; onClose: () => void }) {
  const { t, language } = useI18n();
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
      // The Escape that closes the viewer is the viewer's: what holds it (a thread's panel, which
      // Escape closes) must not take it as well.
      onKeyDown={(e) => e.key === 'Escape' && e.stopPropagation()}
      onClick={(e) => {
        // The backdrop, the space around the image and the bar's free space are the dialog's own boxes.
        if (e.target === e.currentTarget || (e.target as Element).matches('.image-viewer-stage, .image-viewer-bar'))
          dialog.current?.close();
      }}
    >
      <div class="image-viewer-bar">
        {/* Cut short with an ellipsis when long: the whole name is its tooltip and the image's text. */}
        <p class="image-viewer-name" title={attachment.name}>
          {attachment.name}
        </p>
        {view.data ? (
          // Same origin, so `download` saves the file under its name rather than showing it (the host serves images inline).
          <a class="image-viewer-download" href={client.http.fileUrl(view.data.url)} download={attachment.name}>
            {t('attachments.download', { name: attachment.name, size: sizeText(attachment.size, language) })}
          </a>
        ) : null}
        <button type="button" onClick={() => dialog.current?.close()}>
          {t('attachments.close')}
        </button>
      </div>
      <ErrorNotice error={view.error} />
      <div class="image-viewer-stage">
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
      </div>
    </dialog>
  );
}

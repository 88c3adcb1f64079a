import { useEffect, useRef } from 'preact/hooks';
import type { Attachment } from '../../../sdk/protocol/message.js';
import { ErrorNotice } from '../components/error-notice';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { sizeText } from './size-text';

/** The arrow keys that step to the previous and next image. */
const STEPS: Record<string, -1 | 1> = { ArrowLeft: -1, ArrowRight: 1 };

interface Props {
  attachment: Attachment;
  /** Where it is among the images to step through; null when there is no other. */
  position: { index: number; count: number } | null;
  onStep: (step: -1 | 1) => void;
  onClose: () => void;
}

/**
 * An image as large as the screen allows (a small one at its own size), over the page darkened, in
 * a modal dialog (the browser's <dialog>: focus stays inside, Escape closes), with its file's name
 * and a link to download it. A click on the darkened space around the image closes it too. Among
 * others, the buttons on its sides and the arrow keys step to the previous and next one. Its URL
 * is asked for afresh: one from the cache may be about to expire.
 */
export function ImageViewer({ attachment, position, onStep, onClose }: Props) {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  const dialog = useRef<HTMLDialogElement>(null);
  const view = useLoad(() => client.http.attachment(attachment.id), [client, attachment.id]);
  // The last answer is kept while the next image's is asked for: it is the previous image's.
  const shown = view.data?.id === attachment.id ? view.data : undefined;
  useEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal();
  }, []);
  const can = (step: -1 | 1) =>
    position !== null && position.index + step >= 0 && position.index + step < position.count;
  const stepButton = (step: -1 | 1) => {
    const label = t(step < 0 ? 'attachments.previous' : 'attachments.next');
    return (
      <button
        type="button"
        class={`image-viewer-step ${step < 0 ? 'previous' : 'next'}`}
        aria-label={label}
        title={label}
        // Not `disabled`: the button that took the last step keeps the focus (and the arrow keys with it).
        aria-disabled={!can(step)}
        onClick={() => can(step) && onStep(step)}
      >
        {step < 0 ? '‹' : '›'}
      </button>
    );
  };
  return (
    <dialog
      ref={dialog}
      class="image-viewer"
      aria-label={t('attachments.viewer', { name: attachment.name })}
      onClose={onClose}
      onKeyDown={(e) => {
        // The Escape that closes the viewer is the viewer's: what holds it (a thread's panel, which
        // Escape closes) must not take it as well.
        if (e.key === 'Escape') e.stopPropagation();
        const step = STEPS[e.key];
        if (step === undefined || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        if (can(step)) onStep(step);
      }}
      onClick={(e) => {
        // The backdrop, the space around the image and the bar's free space are the dialog's own boxes.
        if (e.target === e.currentTarget || (e.target as Element).matches('.image-viewer-stage, .image-viewer-bar'))
          dialog.current?.close();
      }}
    >
      <div class="image-viewer-bar">
        {/* Cut short with an ellipsis when long: the whole name is its tooltip and the image's text. */}
        <p class="image-viewer-name" title={attachment.name}>
          {position ? (
            <span class="image-viewer-position">
              {t('attachments.position', { index: position.index + 1, count: position.count })}
            </span>
          ) : null}
          {attachment.name}
        </p>
        {shown ? (
          // Same origin, so `download` saves the file under its name rather than showing it (the host serves images inline).
          <a class="image-viewer-download" href={client.http.fileUrl(shown.url)} download={attachment.name}>
            {t('attachments.download', { name: attachment.name, size: sizeText(attachment.size, language) })}
          </a>
        ) : null}
        <button type="button" onClick={() => dialog.current?.close()}>
          {t('attachments.close')}
        </button>
      </div>
      <ErrorNotice error={view.error} />
      <div class="image-viewer-stage">
        {shown ? (
          <img
            src={client.http.fileUrl(shown.url)}
            alt={attachment.name}
            width={attachment.width ?? undefined}
            height={attachment.height ?? undefined}
          />
        ) : (
          <p role="status">{t('app.loading')}</p>
        )}
        {position ? (
          <>
            {stepButton(-1)}
            {stepButton(1)}
          </>
        ) : null}
      </div>
    </dialog>
  );
}

import type { Attachment } from '../../../sdk/protocol/message.js';
import type { AttachmentView } from '../../../sdk/protocol/attachments.js';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { useAttachmentViews } from './attachment-urls';
import { ImageGallery, opensInViewer, useImageGallery } from './image-gallery';
import { sizeText } from './size-text';
import { AudioAttachment } from './audio-attachment';
import { playsAsAudio } from './voice-file';
import '../styles/attachments.css';

/**
 * A message's files: images as previews that open in the viewer of the list the message is in (which
 * steps through that list's images), audio (voice messages among it) as a player, other files as
 * download links.
 */
export function MessageAttachments({ attachments }: { attachments: readonly Attachment[] }) {
  const { t } = useI18n();
  const views = useAttachmentViews();
  const gallery = useImageGallery();
  if (attachments.length === 0) return null;
  // A message shown outside a list of them has a viewer of its own images.
  if (!gallery)
    return (
      <ImageGallery images={attachments.filter(opensInViewer)}>
        <MessageAttachments attachments={attachments} />
      </ImageGallery>
    );
  return (
    <ul class="message-attachments" aria-label={t('attachments.inMessage')}>
      {attachments.map((a) => (
        <li key={a.id}>
          <AttachmentItem
            attachment={a}
            view={views(a.id)}
            onOpen={(button) => gallery.open(a, button)}
            previewRef={(el) => gallery.preview(a.id, el)}
          />
        </li>
      ))}
    </ul>
  );
}

function AttachmentItem({
  attachment: a,
  view,
  onOpen,
  previewRef,
}: {
  attachment: Attachment;
  view: AttachmentView | undefined;
  onOpen: (button: HTMLButtonElement) => void;
  previewRef: (el: HTMLButtonElement | null) => void;
}) {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  if (opensInViewer(a)) {
    return (
      <button
        ref={previewRef}
        type="button"
        class="attachment-preview"
        aria-label={t('attachments.open', { name: a.name })}
        onClick={(e) => onOpen(e.currentTarget)}
      >
        {view?.thumbnailUrl ? (
          <img
            src={client.http.fileUrl(view.thumbnailUrl)}
            alt=""
            width={a.width ?? undefined}
            height={a.height ?? undefined}
          />
        ) : (
          <span class="attachment-name">{a.name}</span>
        )}
      </button>
    );
  }
  if (playsAsAudio(a)) return <AudioAttachment attachment={a} view={view} />;
  const label = t('attachments.download', { name: a.name, size: sizeText(a.size, language) });
  return view ? (
    <a class="attachment-file" href={client.http.fileUrl(view.url)} download={a.name}>
      {label}
    </a>
  ) : (
    <span class="attachment-file">{label}</span>
  );
}

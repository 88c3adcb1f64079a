import { useEffect, useState } from 'preact/hooks';
import type { Attachment } from '../../../sdk/protocol/message.js';
import type { AttachmentView } from '../../../sdk/protocol/attachments.js';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { sizeText } from './size-text';
import { clockText, isVoiceMessage } from './voice-file';
import '../styles/voice.css';

/**
 * Audio in a message, as a player (the browser's own controls): only its metadata is fetched until
 * it is played, then byte ranges as it plays and seeks. A voice message the web client recorded is
 * named so, with its length once known (from the file: a recording that does not say it shows none
 * until played through); other audio is named by its file, with its download link as any file.
 */
export function AudioAttachment({ attachment: a, view }: { attachment: Attachment; view: AttachmentView | undefined }) {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  const fresh = view ? client.http.fileUrl(view.url) : null;
  // The first signed URL stays: a new one (they are asked again every few minutes) would restart
  // what is playing. A fresh one replaces it only once it fails (expired before a seek, say).
  const [src, setSrc] = useState<string | null>(fresh);
  const [duration, setDuration] = useState<number | null>(null);
  useEffect(() => {
    if (src === null && fresh !== null) setSrc(fresh);
  }, [src, fresh]);

  const voice = isVoiceMessage(a);
  const known = duration !== null && Number.isFinite(duration) && duration > 0;
  const label = voice
    ? known
      ? t('voice.messageLength', { time: clockText(duration * 1000) })
      : t('voice.message')
    : a.name;
  const readDuration = (e: { currentTarget: HTMLAudioElement }) => setDuration(e.currentTarget.duration);
  return (
    <figure class={voice ? 'attachment-audio voice-message' : 'attachment-audio'}>
      <figcaption>{label}</figcaption>
      {src ? (
        <audio
          controls
          preload="metadata"
          src={src}
          aria-label={label}
          onLoadedMetadata={readDuration}
          onDurationChange={readDuration}
          onError={() => {
            if (fresh !== null && fresh !== src) setSrc(fresh);
          }}
        />
      ) : null}
      {voice || !fresh ? null : (
        <a class="attachment-file" href={fresh} download={a.name}>
          {t('attachments.download', { name: a.name, size: sizeText(a.size, language) })}
        </a>
      )}
    </figure>
  );
}

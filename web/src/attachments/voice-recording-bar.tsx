import { useEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { MAX_RECORDING_MS, type VoiceRecorder } from './use-voice-recorder';
import { clockText } from './voice-file';
import '../styles/voice.css';

/**
 * Shown while a voice message is recorded: that it is (a red dot and words), the time so far out of
 * the most there can be, and the two ways out: stop and send, or cancel (Escape too). "Stop and
 * send" takes the focus once recording, so Enter or Space sends (Cancel has it while the browser
 * asks for the microphone). `onDone` puts the focus back in the composer.
 */
export function VoiceRecordingBar({ recorder, onDone }: { recorder: VoiceRecorder; onDone: () => void }) {
  const { t } = useI18n();
  const recording = recorder.phase === 'recording';
  const cancelButton = useRef<HTMLButtonElement>(null);
  const sendButton = useRef<HTMLButtonElement>(null);
  useEffect(() => (recording ? sendButton : cancelButton).current?.focus(), [recording]);
  const cancel = () => {
    recorder.cancel();
    onDone();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      cancel();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  return (
    <div class="voice-recording">
      <p class="voice-recording-state" role="status">
        {recording ? <span class="voice-recording-dot" aria-hidden="true" /> : null}
        {recording ? t('voice.recording') : t('voice.starting')}
      </p>
      {recording ? (
        // A timer, not a live region: read when asked, not every second.
        <span class="voice-elapsed" role="timer">
          {t('voice.elapsed', { time: clockText(recorder.elapsedMs), max: clockText(MAX_RECORDING_MS) })}
        </span>
      ) : null}
      <span class="voice-recording-actions">
        <button ref={cancelButton} type="button" aria-label={t('voice.cancelFull')} onClick={cancel}>
          {t('voice.cancel')}
        </button>
        {recording ? (
          <button
            ref={sendButton}
            type="button"
            class="primary"
            onClick={() => {
              recorder.send();
              onDone();
            }}
          >
            {t('voice.send')}
          </button>
        ) : null}
      </span>
    </div>
  );
}

import { useI18n } from '../i18n/i18n-context';
import '../styles/voice.css';

/**
 * The composer's microphone: starts recording a voice message. Drawn, not an emoji (a device
 * without an emoji font shows a box); its name is in words, for screen readers and as a tooltip.
 */
export function VoiceRecordButton({ disabled, onClick }: { disabled: boolean; onClick: () => void }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      class="voice-record-button"
      aria-label={t('voice.record')}
      title={t('voice.record')}
      disabled={disabled}
      onClick={onClick}
    >
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
        <path
          fill="currentColor"
          d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.92V21h2v-3.08A7 7 0 0 0 19 11h-2z"
        />
      </svg>
    </button>
  );
}

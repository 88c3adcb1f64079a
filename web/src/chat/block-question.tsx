import { useEffect, useId, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';

interface Props {
  /** The other person of the direct conversation, by name. */
  name: string;
  /** Whether I block them now: the question is then whether to unblock. */
  blocked: boolean;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * The question asked before blocking (or unblocking) the other person of a direct conversation,
 * in the conversation menu's place once its Block item is chosen. It is focused on Cancel so a
 * stray Enter changes nothing; a failure shows under it (the menu's), the question staying. Once blocked, the composer gives way to a notice (blocked-notice.tsx).
 */
export function BlockQuestion({ name, blocked, busy, onConfirm, onCancel }: Props) {
  const { t } = useI18n();
  const keep = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  useEffect(() => keep.current?.focus(), []);
  return (
    <div class="confirm-question" role="group" aria-labelledby={questionId}>
      <p id={questionId}>{t(blocked ? 'chat.block.unblockQuestion' : 'chat.block.question', { name })}</p>
      <div class="button-row">
        <button type="button" class={blocked ? 'primary' : 'danger'} onClick={onConfirm} disabled={busy}>
          {t(blocked ? 'chat.block.unblock' : 'chat.block.confirm')}
        </button>
        <button type="button" ref={keep} onClick={onCancel} disabled={busy}>
          {t('chat.block.cancel')}
        </button>
      </div>
    </div>
  );
}

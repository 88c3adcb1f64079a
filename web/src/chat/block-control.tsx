import { useEffect, useId, useRef } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { useBlocks } from '../session/client-hooks';
import { useHeaderPopover } from './use-header-popover';
import './blocking.css';

/**
 * Blocking the other person of a direct conversation, or unblocking them: the button asks first,
 * in a popover under it (over the conversation, so the header keeps its one row), focused on
 * Cancel so a stray Enter changes nothing. Once blocked, the composer gives way to a notice.
 */
export function BlockControl({ userId, name }: { userId: string; name: string }) {
  const { t } = useI18n();
  const blocks = useBlocks();
  const blocked = blocks.has(userId);
  const { open: asking, setOpen: setAsking, toggle, action, close, run } = useHeaderPopover();
  const keep = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  useEffect(() => {
    if (asking) keep.current?.focus();
  }, [asking]);
  const confirm = () => run(() => (blocked ? blocks.unblock(userId) : blocks.block(userId)));
  return (
    <div class="block-control" onKeyDown={(e) => e.key === 'Escape' && asking && !action.busy && close()}>
      <button
        type="button"
        ref={toggle}
        aria-label={t(blocked ? 'chat.block.unblockLabel' : 'chat.block.openLabel', { name })}
        aria-expanded={asking}
        onClick={() => (asking ? close() : setAsking(true))}
      >
        {t(blocked ? 'chat.block.unblock' : 'chat.block.open')}
      </button>
      <div class="block-popover">
        {asking ? (
          <div class="confirm-question" role="group" aria-labelledby={questionId}>
            <p id={questionId}>{t(blocked ? 'chat.block.unblockQuestion' : 'chat.block.question', { name })}</p>
            <ErrorNotice error={action.error} />
            <div class="button-row">
              <button type="button" class={blocked ? 'primary' : 'danger'} onClick={confirm} disabled={action.busy}>
                {t(blocked ? 'chat.block.unblock' : 'chat.block.confirm')}
              </button>
              <button type="button" ref={keep} onClick={close} disabled={action.busy}>
                {t('chat.block.cancel')}
              </button>
            </div>
          </div>
        ) : null}
      </div>
    </div>
  );
}

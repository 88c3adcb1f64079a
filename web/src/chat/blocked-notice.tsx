import type { RefObject } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { refocusIfLost } from '../components/use-focus-on-mount';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { usePeople } from '../people/people';
import { useBlocks } from '../session/client-hooks';
import './blocking.css';

/**
 * What stands in a composer's place (the conversation's, a thread's) while I block the other person
 * of a direct conversation, or null when the composer is to show: it says so, with an Unblock that
 * needs no question (nothing is lost by it). Unblocked from here, the composer that comes back
 * takes the focus the button took with it. Non-null, it also means the messages offer no Reply,
 * new reaction or pin (MessageItem's `blocking`). The person blocked is never shown this: they keep
 * their composer and actions, and a send, reaction or pin is refused in neutral words.
 */
export function useBlockedNotice(partnerId: string | null, input: RefObject<HTMLElement | null>) {
  const blocks = useBlocks();
  const blocked = partnerId !== null && blocks.has(partnerId);
  // Only this notice's Unblock moves the focus: unblocked elsewhere (the menu, another device), it stays put.
  const unblockedHere = useRef(false);
  useEffect(() => {
    if (blocked || !unblockedHere.current) return;
    unblockedHere.current = false;
    refocusIfLost(input.current);
  }, [blocked, input]);
  if (!partnerId || !blocked) return null;
  return <BlockedNotice userId={partnerId} onUnblock={() => (unblockedHere.current = true)} />;
}

function BlockedNotice({ userId, onUnblock }: { userId: string; onUnblock: () => void }) {
  const { t } = useI18n();
  const people = usePeople();
  const blocks = useBlocks();
  const action = useAction();
  const textId = useId();
  const name = people.name(userId);
  const unblock = () =>
    void action.run(async () => {
      onUnblock();
      await blocks.unblock(userId);
    });
  return (
    <div class="blocked-notice" role="group" aria-labelledby={textId}>
      <p id={textId} role="status">
        {t('chat.block.notice', { name })}
      </p>
      <ErrorNotice error={action.error} />
      <button
        type="button"
        aria-label={t('chat.block.unblockLabel', { name })}
        onClick={unblock}
        disabled={action.busy}
      >
        {t('chat.block.unblock')}
      </button>
    </div>
  );
}

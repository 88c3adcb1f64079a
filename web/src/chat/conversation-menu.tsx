import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationView } from '../../../sdk/client/index.js';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { refocusIfLost } from '../components/use-focus-on-mount';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import './conversation-menu.css';

/**
 * The conversation's menu (⋯) beside Mute, for what is done now and then: Archive takes the
 * conversation out of the main list to "Archived", where it stays when messages arrive, until
 * Unarchive; my other devices follow (the host tells them). One small button keeps the header to
 * one row on a phone. The items, and a failure, open under it, over the conversation, as Mute's do.
 */
export function ConversationMenu({ view }: { view: ConversationView }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const action = useAction();
  // An item done, the menu closes and its item goes: the focus comes back to the menu's button.
  const refocus = useRef(false);
  useEffect(() => {
    if (!refocus.current || action.busy) return;
    refocus.current = false;
    refocusIfLost(toggle.current);
  });
  const close = () => {
    action.clear();
    setOpen(false);
    toggle.current?.focus();
  };
  const archived = view.archivedAt !== null;
  const archive = () =>
    void action.run(async () => {
      refocus.current = true;
      await client.archive(view.conversation.id, !archived);
      setOpen(false);
    });
  return (
    <div class="conversation-menu" onKeyDown={(e) => e.key === 'Escape' && open && close()}>
      <button
        type="button"
        ref={toggle}
        class="conversation-menu-toggle"
        aria-label={t('chat.menu.open')}
        aria-expanded={open}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      <div class="conversation-menu-popover">
        {open ? (
          <div class="conversation-menu-items" role="group" aria-label={t('chat.menu.open')}>
            <button type="button" onClick={archive} disabled={action.busy}>
              {archived ? t('chat.archive.unarchive') : t('chat.archive.archive')}
            </button>
          </div>
        ) : null}
        <ErrorNotice error={action.error} />
      </div>
    </div>
  );
}

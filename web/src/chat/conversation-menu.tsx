import type { ConversationView } from '../../../sdk/client/index.js';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { useHeaderPopover } from './use-header-popover';
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
  const { open, setOpen, toggle, action, close, run } = useHeaderPopover();
  const archived = view.archivedAt !== null;
  const archive = () => run(() => client.archive(view.conversation.id, !archived));
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

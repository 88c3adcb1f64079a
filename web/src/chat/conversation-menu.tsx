import { useState } from 'preact/hooks';
import type { ConversationView } from '../../../sdk/client/index.js';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { useBlocks } from '../session/client-hooks';
import { useSignedIn } from '../session/session-context';
import { BlockQuestion } from './block-question';
import { ReportDialog } from './report-dialog';
import { useHeaderPopover } from './use-header-popover';
import './conversation-menu.css';
import './blocking.css';

/**
 * The conversation's menu (⋯) beside Mute, for what is done now and then: Archive takes the
 * conversation out of the main list to "Archived", where it stays when messages arrive, until
 * Unarchive; my other devices follow (the host tells them). In a direct chat, Block (or Unblock)
 * asks first, its question in the items' place, and Report opens the report dialog about the
 * other person. One small button keeps the header to one row on a phone, with room for the name.
 * The items, and a failure, open under it, over the conversation, as Mute's do; a dialog closed
 * gives the focus back to the menu's button.
 */
export function ConversationMenu({
  view,
  person,
}: {
  view: ConversationView;
  person?: { userId: string; name: string };
}) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const blocks = useBlocks();
  const { open, setOpen, toggle, action, close, run } = useHeaderPopover();
  const [reporting, setReporting] = useState(false);
  const [asking, setAsking] = useState(false);
  const archived = view.archivedAt !== null;
  const blocked = person ? blocks.has(person.userId) : false;
  const archive = () => run(() => client.archive(view.conversation.id, !archived));
  const block = (userId: string) => run(() => (blocked ? blocks.unblock(userId) : blocks.block(userId)));
  return (
    <div class="conversation-menu" onKeyDown={(e) => e.key === 'Escape' && open && !action.busy && close()}>
      <button
        type="button"
        ref={toggle}
        class="conversation-menu-toggle"
        aria-label={t('chat.menu.open')}
        aria-expanded={open}
        onClick={() => {
          if (open) return close();
          setAsking(false);
          setOpen(true);
        }}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      <div class="conversation-menu-popover">
        {open && person && asking ? (
          <BlockQuestion
            name={person.name}
            blocked={blocked}
            busy={action.busy}
            onConfirm={() => block(person.userId)}
            onCancel={close}
          />
        ) : open ? (
          <div class="conversation-menu-items" role="group" aria-label={t('chat.menu.open')}>
            <button type="button" onClick={archive} disabled={action.busy}>
              {archived ? t('chat.archive.unarchive') : t('chat.archive.archive')}
            </button>
            {person ? (
              <button
                type="button"
                aria-label={t(blocked ? 'chat.block.unblockLabel' : 'chat.block.openLabel', { name: person.name })}
                onClick={() => {
                  action.clear();
                  setAsking(true);
                }}
                disabled={action.busy}
              >
                {t(blocked ? 'chat.block.unblock' : 'chat.block.open')}
              </button>
            ) : null}
            {person ? (
              <button
                type="button"
                aria-label={t('report.person', { name: person.name })}
                onClick={() => {
                  setOpen(false);
                  setReporting(true);
                }}
              >
                {t('report.action')}
              </button>
            ) : null}
          </div>
        ) : null}
        <ErrorNotice error={action.error} />
      </div>
      {person && reporting ? (
        <ReportDialog
          target={{ userId: person.userId }}
          title={t('report.personTitle', { name: person.name })}
          onClose={() => {
            setReporting(false);
            toggle.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}

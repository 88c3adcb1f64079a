import { useState } from 'preact/hooks';
import type { ConversationView } from '../../../sdk/client/index.js';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { ReportDialog } from './report-dialog';
import { useHeaderPopover } from './use-header-popover';
import './conversation-menu.css';

/**
 * The conversation's menu (⋯) beside Mute, for what is done now and then: Archive takes the
 * conversation out of the main list to "Archived", where it stays when messages arrive, until
 * Unarchive; my other devices follow (the host tells them). In a direct chat, Report opens the
 * report dialog about the other person. One small button keeps the header to one row on a phone,
 * with room for the name. The items, and a failure, open under it, over the conversation, as
 * Mute's do; a dialog closed gives the focus back to the menu's button.
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
  const { open, setOpen, toggle, action, close, run } = useHeaderPopover();
  const [reporting, setReporting] = useState(false);
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

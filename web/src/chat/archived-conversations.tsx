import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';

interface Props {
  count: number;
  /** Whether the conversation on screen is one of them. */
  holdsCurrent: boolean;
  /** Their entries, as the main list draws them. */
  children: ComponentChildren;
}

/**
 * The archived conversations, after the others, behind one "Archived (N)" entry that opens them in
 * place (as WhatsApp and Telegram keep them). It opens by itself when the conversation on screen
 * is one of them (opened by its address, or just archived), so the list still shows where one is.
 */
export function ArchivedConversations({ count, holdsCurrent, children }: Props) {
  const { t } = useI18n();
  const [open, setOpen] = useState(holdsCurrent);
  useEffect(() => {
    if (holdsCurrent) setOpen(true);
  }, [holdsCurrent]);
  return (
    <div class="archived-conversations">
      <button
        type="button"
        class="archived-toggle"
        aria-expanded={open}
        aria-controls="archived-conversation-list"
        onClick={() => setOpen(!open)}
      >
        {t('chat.archive.entry', { count })}
      </button>
      <ul id="archived-conversation-list" class="conversation-list" aria-label={t('chat.archive.list')} hidden={!open}>
        {children}
      </ul>
    </div>
  );
}

import { useConversationList } from '../session/client-hooks';
import { isQuiet } from '../chat/quiet-conversation';
import { useI18n } from '../i18n/i18n-context';
import { pluralKey } from '../i18n/plural';
import { Link } from '../router/router';
import { useUnreadThreads } from './use-unread-threads';
import '../chat/conversation-list.css';
import '../styles/threads.css';

/**
 * The sidebar's link to the Threads view, with a badge counting the followed threads that have
 * replies I have not read, live on every device. As with the tab title's count, threads of a muted
 * or archived conversation are left out (the Threads view still shows them, quietly). Screen readers
 * hear the link as one phrase, "Threads, 2 unread", in place of the word and the bare number they see.
 */
export function ThreadsLink({ current }: { current: boolean }) {
  const { t, language } = useI18n();
  const unread = useUnreadThreads();
  const quiet = new Set(
    useConversationList()
      .filter(isQuiet)
      .map((v) => v.conversation.id),
  );
  let count = 0;
  for (const thread of unread.values()) if (thread.unreadCount > 0 && !quiet.has(thread.conversationId)) count++;
  const title = t('chat.threads.title');
  if (count === 0)
    return (
      <Link href="/threads" class="threads-link" aria-current={current ? 'page' : undefined}>
        {title}
      </Link>
    );
  return (
    <Link href="/threads" class="threads-link" aria-current={current ? 'page' : undefined}>
      <span aria-hidden="true">
        {title}
        <span class="count-badge">{count > 99 ? '99+' : count}</span>
      </span>
      <span class="sr-only">
        {t(pluralKey(language, count, 'chat.threads.linkUnreadOne', 'chat.threads.linkUnreadOther'), { count })}
      </span>
    </Link>
  );
}

import type { Conversation } from '../../../sdk/protocol/message.js';
import type { FollowedThread } from '../../../sdk/protocol/threads.js';
import { useConversationList } from '../session/client-hooks';
import { shortTime } from '../i18n/format-time';
import { previewOf } from '../chat/message-preview';
import { usePeople, type People } from '../people/people';
import { CountBadge } from '../components/count-badge';
import { ErrorNotice } from '../components/error-notice';
import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';
import { threadHref } from '../chat/thread-address';
import { isQuiet } from '../chat/quiet-conversation';
import { useFollowedThreads } from './use-followed-threads';
import '../chat/conversation-list.css';
import '../styles/threads.css';

/**
 * /threads: the threads I follow, each with its conversation, root, last reply and what is new
 * (quietly in a muted conversation, as the conversation list does); one opens in its conversation.
 */
export function ThreadsScreen() {
  const { t } = useI18n();
  const people = usePeople();
  const { threads, error, more } = useFollowedThreads();
  // The titles come from the cached list, which may arrive after the threads.
  const conversations = new Map(useConversationList().map((v) => [v.conversation.id, v.conversation]));
  usePageTitle(t('chat.threads.title'));
  return (
    <section class="threads-screen stack" aria-labelledby="threads-title">
      <h1 id="threads-title">{t('chat.threads.title')}</h1>
      <ErrorNotice error={error} />
      {threads === undefined ? null : threads.length === 0 ? (
        <p class="placeholder">{t('chat.threads.empty')}</p>
      ) : (
        <ul class="conversation-list thread-list" aria-label={t('chat.threads.list')}>
          {threads.map((thread) => (
            <ThreadItem
              key={thread.root.id}
              thread={thread}
              conversation={conversations.get(thread.conversationId)}
              people={people}
            />
          ))}
        </ul>
      )}
      {more ? (
        <button type="button" onClick={more}>
          {t('chat.threads.more')}
        </button>
      ) : null}
    </section>
  );
}

interface ItemProps {
  thread: FollowedThread;
  conversation: Conversation | undefined;
  people: People;
}

function ThreadItem({ thread, conversation, people }: ItemProps) {
  const { t, language } = useI18n();
  const { root, lastReply, unreadCount } = thread;
  const wording = { t, language, name: people.name, me: people.me.id, group: true };
  const at = lastReply?.createdAt ?? root.createdAt;
  return (
    <li>
      <Link
        href={threadHref(thread.conversationId, root.id)}
        class={unreadCount > 0 ? 'conversation-link thread-link unread' : 'conversation-link thread-link'}
      >
        <span class="conversation-title">
          <span class="conversation-name">{conversation ? people.title(conversation) : t('conversation.title')}</span>
        </span>
        <time class="conversation-time" dateTime={at}>
          {shortTime(at, language)}
        </time>
        <span class="thread-root">{previewOf(root, wording)}</span>
        <span class="conversation-badges">
          <CountBadge
            count={unreadCount}
            one="chat.threads.unreadOne"
            other="chat.threads.unreadOther"
            {...(isQuiet(conversation) ? { variant: 'quiet' as const } : {})}
          />
        </span>
        <span class="conversation-preview thread-last-reply">
          {lastReply ? previewOf(lastReply, wording) : t('chat.threads.noReply')}
        </span>
      </Link>
    </li>
  );
}

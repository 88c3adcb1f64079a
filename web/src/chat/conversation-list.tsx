import type { ConversationView } from '../../../sdk/client/index.js';
import type { PresenceStatus } from '../../../sdk/protocol/frames.js';
import { useI18n } from '../i18n/i18n-context';
import { Link, useRoute } from '../router/router';
import { useConversationList } from '../session/client-hooks';
import { shortTime } from '../i18n/format-time';
import { previewOf } from './message-preview';
import { isMuted } from './mute-state';
import { isQuiet } from './quiet-conversation';
import { ArchivedConversations } from './archived-conversations';
import { usePeople, type People } from '../people/people';
import { CountBadge } from '../components/count-badge';
import { PresenceDot } from './presence-dot';
import { ConversationAvatar } from './conversation-avatar';
import { usePresence } from './use-presence';
import './conversation-list.css';

/**
 * The person's conversations, newest activity first, each with its last message, unread and mention
 * counts, muting and presence; the archived ones after them, under "Archived (N)".
 */
export function ConversationList() {
  const { t } = useI18n();
  const views = useConversationList();
  const people = usePeople();
  const route = useRoute();
  const current = route.name === 'conversation' ? route.params.conversationId : undefined;
  const partners = views
    .filter((v) => v.conversation.kind === 'direct')
    .map((v) => people.partner(v.conversation))
    .filter((id): id is string => typeof id === 'string');
  const presenceOf = usePresence(partners);
  if (views.length === 0) return <p class="placeholder">{t('chat.list.empty')}</p>;
  const item = (view: ConversationView) => {
    const partner = view.conversation.kind === 'direct' ? people.partner(view.conversation) : null;
    return (
      <ConversationItem
        key={view.conversation.id}
        view={view}
        people={people}
        current={view.conversation.id === current}
        presence={partner ? presenceOf(partner) : undefined}
      />
    );
  };
  const main = views.filter((v) => v.archivedAt === null);
  const archived = views.filter((v) => v.archivedAt !== null);
  return (
    <>
      {main.length > 0 ? <ul class="conversation-list">{main.map(item)}</ul> : null}
      {archived.length > 0 ? (
        <ArchivedConversations
          count={archived.length}
          holdsCurrent={archived.some((v) => v.conversation.id === current)}
        >
          {archived.map(item)}
        </ArchivedConversations>
      ) : null}
    </>
  );
}

interface ItemProps {
  view: ConversationView;
  people: People;
  current: boolean;
  presence: PresenceStatus | undefined;
}

function ConversationItem({ view, people, current, presence }: ItemProps) {
  const { t, language } = useI18n();
  const { conversation, lastMessage, unreadCount, mentionCount } = view;
  // Muted or archived: counts still show, quietly (a mention still stands out).
  const muted = isMuted(view.mutedUntil);
  const quiet = isQuiet(view);
  const preview = previewOf(lastMessage, {
    t,
    language,
    name: people.name,
    me: people.me.id,
    group: conversation.kind === 'group',
    sayThread: true,
  });
  const at = lastMessage?.createdAt ?? conversation.createdAt;
  return (
    <li>
      <Link
        href={`/c/${encodeURIComponent(conversation.id)}`}
        class={unreadCount > 0 ? 'conversation-link unread' : 'conversation-link'}
        aria-current={current ? 'page' : undefined}
      >
        <span class="conversation-title">
          <ConversationAvatar conversation={conversation} people={people} />
          <PresenceDot status={presence} />
          <span class="conversation-name">{people.title(conversation)}</span>
        </span>
        <time class="conversation-time" dateTime={at}>
          {shortTime(at, language)}
        </time>
        <span class="conversation-preview">{preview}</span>
        <span class="conversation-badges">
          {muted ? <span class="muted-mark" role="img" aria-label={t('chat.list.muted')} /> : null}
          <CountBadge
            count={mentionCount}
            one="chat.list.mentionOne"
            other="chat.list.mentionOther"
            variant="for-mention"
            prefix="@"
          />
          <CountBadge
            count={unreadCount}
            one="chat.list.unreadOne"
            other="chat.list.unreadOther"
            {...(quiet ? { variant: 'quiet' as const } : {})}
          />
        </span>
      </Link>
    </li>
  );
}

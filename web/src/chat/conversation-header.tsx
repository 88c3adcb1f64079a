import { useState } from 'preact/hooks';
import type { ConversationView } from '../../../sdk/client/index.js';
import { useI18n } from '../i18n/i18n-context';
import { AddMembersForm } from './add-members-form';
import { pluralKey } from './plural';
import { PresenceDot } from './presence-dot';
import { usePresence } from './use-presence';

interface Props {
  view: ConversationView | undefined;
  title: string;
  /** The other person of a direct conversation. */
  partnerId: string | null | undefined;
  memberCount: number;
}

/** The conversation's name, who is there (presence, or the number of members) and, for a group's managers, adding members. */
export function ConversationHeader({ view, title, partnerId, memberCount }: Props) {
  const { t, language } = useI18n();
  const [adding, setAdding] = useState(false);
  const presenceOf = usePresence(partnerId ? [partnerId] : []);
  const conversation = view?.conversation;
  const group = conversation?.kind === 'group';
  const manager = group && (conversation.myRole === 'owner' || conversation.myRole === 'admin');
  const presence = partnerId ? presenceOf(partnerId) : undefined;
  let subtitle = '';
  if (group)
    subtitle = t(pluralKey(language, memberCount, 'chat.header.memberOne', 'chat.header.memberOther'), {
      count: memberCount,
    });
  else if (presence) subtitle = presence === 'online' ? t('chat.presence.online') : t('chat.presence.offline');
  return (
    <div class="chat-header">
      <div class="chat-heading">
        <h1 id="chat-title">{title}</h1>
        {subtitle ? (
          <p class="chat-subtitle">
            {group ? null : <PresenceDot status={presence} decorative />}
            {subtitle}
          </p>
        ) : null}
      </div>
      {manager ? (
        <button type="button" aria-expanded={adding} aria-controls="add-members" onClick={() => setAdding(!adding)}>
          {t('chat.members.open')}
        </button>
      ) : null}
      {manager ? (
        <div id="add-members" class="add-members-panel" hidden={!adding}>
          {adding ? <AddMembersForm conversationId={conversation.id} onDone={() => setAdding(false)} /> : null}
        </div>
      ) : null}
    </div>
  );
}

import { useState } from 'preact/hooks';
import type { ConversationView } from '../../../sdk/client/index.js';
import type { Member } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { GroupDetails } from './group-details';
import { MuteControl } from './mute-control';
import { pluralKey } from '../i18n/plural';
import { PresenceDot } from './presence-dot';
import { usePresence } from './use-presence';

interface Props {
  view: ConversationView | undefined;
  title: string;
  /** The other person of a direct conversation. */
  partnerId: string | null | undefined;
  memberCount: number;
  /** The members with their roles (null while listed). */
  members: Member[] | null;
}

/** The conversation's name, who is there (presence, or the number of members) and, for a group, its details. */
export function ConversationHeader({ view, title, partnerId, memberCount, members }: Props) {
  const { t, language } = useI18n();
  const [open, setOpen] = useState(false);
  const presenceOf = usePresence(partnerId ? [partnerId] : []);
  const conversation = view?.conversation;
  const group = conversation?.kind === 'group';
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
      {view ? <MuteControl view={view} /> : null}
      {group ? (
        <button type="button" aria-expanded={open} aria-controls="group-details" onClick={() => setOpen(!open)}>
          {t('chat.group.details')}
        </button>
      ) : null}
      {group ? (
        <div id="group-details" class="group-details-panel" hidden={!open}>
          {open ? <GroupDetails conversation={conversation} members={members} onDone={() => setOpen(false)} /> : null}
        </div>
      ) : null}
    </div>
  );
}

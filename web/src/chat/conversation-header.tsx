import { useRef, useState } from 'preact/hooks';
import type { ConversationView } from '../../../sdk/client/index.js';
import type { Member } from '../../../sdk/protocol/message.js';
import { ShortLabel } from '../components/short-label';
import { useI18n } from '../i18n/i18n-context';
import { BackLink } from '../components/back-link';
import { GroupDetails } from './group-details';
import { MuteControl } from './mute-control';
import { ConversationMenu } from './conversation-menu';
import { mutedNote } from './mute-state';
import { pluralKey } from '../i18n/plural';
import { PresenceDot } from './presence-dot';
import { usePresence } from './use-presence';
import { ConversationAvatar } from './conversation-avatar';
import { usePeople } from '../people/people';

interface Props {
  view: ConversationView | undefined;
  title: string;
  /** The other person of a direct conversation. */
  partnerId: string | null | undefined;
  memberCount: number;
  /** The members with their roles (null while listed). */
  members: Member[] | null;
}

/**
 * The conversation's picture and name, who is there (presence, or the number of members), whether I muted it,
 * and its actions side by side (mute; a group's details; the menu that archives, and blocks or
 * reports the other person of a direct one); for a group, its details open under them. On a phone it is one row: the way back, the name
 * (cut short when long) and the actions.
 */
export function ConversationHeader({ view, title, partnerId, memberCount, members }: Props) {
  const { t, language } = useI18n();
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  // Closed from inside, the details take the focus with them: it goes back to the button.
  const close = () => {
    setOpen(false);
    toggle.current?.focus();
  };
  const presenceOf = usePresence(partnerId ? [partnerId] : []);
  const people = usePeople();
  const conversation = view?.conversation;
  const group = conversation?.kind === 'group';
  const presence = partnerId ? presenceOf(partnerId) : undefined;
  let subtitle = '';
  if (group)
    subtitle = t(pluralKey(language, memberCount, 'chat.header.memberOne', 'chat.header.memberOther'), {
      count: memberCount,
    });
  else if (presence) subtitle = presence === 'online' ? t('chat.presence.online') : t('chat.presence.offline');
  const muted = mutedNote(t, language, view?.mutedUntil);
  return (
    <div class="chat-header">
      <div class="chat-header-bar">
        <BackLink compact />
        {conversation ? <ConversationAvatar conversation={conversation} people={people} size="medium" /> : null}
        <div class="chat-heading">
          <h1 id="chat-title">{title}</h1>
          {subtitle || muted ? (
            <p class="chat-subtitle">
              {group || !subtitle ? null : <PresenceDot status={presence} decorative />}
              {subtitle ? <span>{subtitle}</span> : null}
              {subtitle && muted ? <span aria-hidden="true">·</span> : null}
              {muted ? <span class="chat-muted">{muted}</span> : null}
            </p>
          ) : null}
        </div>
        <div class="chat-header-actions">
          {view ? <MuteControl view={view} /> : null}
          {group ? (
            <button
              type="button"
              ref={toggle}
              aria-label={t('chat.group.details')}
              aria-expanded={open}
              aria-controls="group-details"
              onClick={() => setOpen(!open)}
            >
              <ShortLabel full={t('chat.group.details')} short={t('chat.group.detailsShort')} />
            </button>
          ) : null}
          {view ? (
            <ConversationMenu
              view={view}
              person={partnerId && !group ? { userId: partnerId, name: title } : undefined}
            />
          ) : null}
        </div>
      </div>
      {group ? (
        <div id="group-details" class="group-details-panel" hidden={!open}>
          {open ? <GroupDetails conversation={conversation} members={members} onClose={close} /> : null}
        </div>
      ) : null}
    </div>
  );
}

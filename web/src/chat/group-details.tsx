import type { Conversation, Member } from '../../../sdk/protocol/message.js';
import { useFocusOnMount } from '../components/use-focus-on-mount';
import { useI18n } from '../i18n/i18n-context';
import { AddMembersForm } from './add-members-form';
import { GroupMemberList } from './group-member-list';
import { GroupRenameForm } from './group-rename-form';
import { LeaveGroup } from './leave-group';
import './group-details.css';

interface Props {
  conversation: Conversation;
  /** null while the listing is on its way. */
  members: Member[] | null;
  onClose: () => void;
}

/**
 * A group's settings as far as my role reaches: its name and members for owners and admins, roles
 * for the owner, and leaving for everyone. The host decides in the end; a refusal is shown in words.
 * Opened, they take the focus (on a phone they cover the screen, the button that opened them too),
 * and close with their own button or Escape.
 */
export function GroupDetails({ conversation, members, onClose }: Props) {
  const { t } = useI18n();
  const close = useFocusOnMount<HTMLButtonElement>();
  const manager = conversation.myRole === 'owner' || conversation.myRole === 'admin';
  return (
    <section
      class="group-details stack"
      aria-labelledby="group-details-title"
      onKeyDown={(e) => {
        // A question open in the details (remove, leave) takes Escape for itself: it is cancelled.
        const inQuestion = e.target instanceof Element && e.target.closest('.confirm-question') !== null;
        if (e.key === 'Escape' && !inQuestion) onClose();
      }}
    >
      <div class="group-details-header">
        <h2 id="group-details-title">{t('chat.group.details')}</h2>
        <button type="button" ref={close} onClick={onClose}>
          {t('chat.group.close')}
        </button>
      </div>
      {manager ? <GroupRenameForm conversation={conversation} /> : null}
      <GroupMemberList conversation={conversation} members={members} />
      {manager ? <AddMembersForm conversationId={conversation.id} /> : null}
      <LeaveGroup conversation={conversation} />
    </section>
  );
}

import type { Conversation, Member } from '../../../sdk/protocol/message.js';
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
}

/**
 * A group's settings as far as my role reaches: its name and members for owners and admins, roles
 * for the owner, and leaving for everyone. The host decides in the end; a refusal is shown in words.
 */
export function GroupDetails({ conversation, members }: Props) {
  const { t } = useI18n();
  const manager = conversation.myRole === 'owner' || conversation.myRole === 'admin';
  return (
    <section class="group-details stack" aria-labelledby="group-details-title">
      <h2 id="group-details-title">{t('chat.group.details')}</h2>
      {manager ? <GroupRenameForm conversation={conversation} /> : null}
      <GroupMemberList conversation={conversation} members={members} />
      {manager ? <AddMembersForm conversationId={conversation.id} /> : null}
      <LeaveGroup conversation={conversation} />
    </section>
  );
}

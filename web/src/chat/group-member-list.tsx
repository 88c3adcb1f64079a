import type { Conversation, Member, MemberRole } from '../../../sdk/protocol/message.js';
import { ConfirmButton } from '../components/confirm-button';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import type { MessageKey } from '../i18n/en';
import { useSignedIn } from '../session/session-context';
import { usePeople } from '../people/people';

const ROLE_KEYS: Record<MemberRole, MessageKey> = {
  owner: 'chat.group.roleOwner',
  admin: 'chat.group.roleAdmin',
  member: 'chat.group.roleMember',
};

/** The group's members with their roles (the owner sees them in the role pickers); the owner changes roles, owners and admins remove (admins: members only), after confirming. */
export function GroupMemberList({ conversation, members }: { conversation: Conversation; members: Member[] | null }) {
  const { t } = useI18n();
  const people = usePeople();
  if (members === null) return <p role="status">{t('app.loading')}</p>;
  return (
    <ul class="group-members" aria-label={t('chat.group.members')}>
      {members.map((m) => (
        <li key={m.userId}>
          <span class="group-member-name">
            {m.userId === people.me.id ? t('chat.group.you', { name: people.name(m.userId) }) : people.name(m.userId)}
          </span>
          {conversation.myRole === 'owner' && m.userId !== people.me.id ? null : (
            <span class="group-member-role">{t(ROLE_KEYS[m.role])}</span>
          )}
          <MemberControls conversation={conversation} member={m} name={people.name(m.userId)} />
        </li>
      ))}
    </ul>
  );
}

function MemberControls({ conversation, member, name }: { conversation: Conversation; member: Member; name: string }) {
  const { t } = useI18n();
  const { client, user: me } = useSignedIn();
  const action = useAction();
  if (member.userId === me.id) return null;
  const mine = conversation.myRole;
  const canSetRole = mine === 'owner';
  const canRemove = mine === 'owner' || (mine === 'admin' && member.role === 'member');
  if (!canSetRole && !canRemove) return null;
  const setRole = (role: MemberRole) =>
    void action.run(async () => {
      await client.http.setRole(conversation.id, member.userId, role);
    });
  return (
    <span class="group-member-controls">
      {canSetRole ? (
        <select
          aria-label={t('chat.group.roleOf', { name })}
          value={member.role}
          disabled={action.busy}
          onChange={(event) => setRole(event.currentTarget.value as MemberRole)}
        >
          {(['member', 'admin', 'owner'] as const).map((role) => (
            <option key={role} value={role}>
              {t(ROLE_KEYS[role])}
            </option>
          ))}
        </select>
      ) : null}
      {canRemove ? (
        <ConfirmButton
          label={t('chat.group.remove')}
          name={t('chat.group.removeLabel', { name })}
          question={t('chat.group.removeQuestion', { name })}
          confirm={t('chat.group.remove')}
          cancel={t('chat.group.removeCancel')}
          onConfirm={() => client.http.removeMember(conversation.id, member.userId)}
        />
      ) : null}
      <ErrorNotice error={action.error} />
    </span>
  );
}

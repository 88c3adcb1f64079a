import { useEffect, useRef } from 'preact/hooks';
import type { Conversation, Member, MemberRole } from '../../../sdk/protocol/message.js';
import { ConfirmButton } from '../components/confirm-button';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { refocusIfLost } from '../components/use-focus-on-mount';
import { useI18n } from '../i18n/i18n-context';
import type { MessageKey } from '../i18n/en';
import { useSignedIn } from '../session/session-context';
import { usePeople } from '../people/people';

const RANK: Record<MemberRole, number> = { owner: 0, admin: 1, member: 2 };

const ROLE_KEYS: Record<MemberRole, MessageKey> = {
  owner: 'chat.group.roleOwner',
  admin: 'chat.group.roleAdmin',
  member: 'chat.group.roleMember',
};

/** The group's members with their roles (the owner sees them in the role pickers); the owner changes roles, owners and admins remove (admins: members only), after confirming. */
export function GroupMemberList({ conversation, members }: { conversation: Conversation; members: Member[] | null }) {
  const { t, language } = useI18n();
  const people = usePeople();
  const list = useRef<HTMLUListElement>(null);
  // Who was just removed, and who came after: their row goes, the focus goes on to the next one.
  const removed = useRef<{ userId: string; next: string | null } | null>(null);
  const sorted = [...(members ?? [])].sort(
    (a, b) => RANK[a.role] - RANK[b.role] || people.name(a.userId).localeCompare(people.name(b.userId), language),
  );
  useEffect(() => {
    const gone = removed.current;
    if (!gone || sorted.some((m) => m.userId === gone.userId)) return;
    removed.current = null;
    const next = gone.next === null ? null : list.current?.querySelector(`[data-user="${CSS.escape(gone.next)}"]`);
    refocusIfLost(next?.querySelector<HTMLElement>('select, button') ?? list.current);
  });
  if (members === null) return <p role="status">{t('app.loading')}</p>;
  return (
    <ul class="group-members" aria-label={t('chat.group.members')} ref={list} tabIndex={-1}>
      {sorted.map((m, i) => (
        <li key={m.userId} data-user={m.userId}>
          <span class="group-member-name">
            {m.userId === people.me.id ? t('chat.group.you', { name: people.name(m.userId) }) : people.name(m.userId)}
          </span>
          {conversation.myRole === 'owner' && m.userId !== people.me.id ? null : (
            <span class="group-member-role">{t(ROLE_KEYS[m.role])}</span>
          )}
          <MemberControls
            conversation={conversation}
            member={m}
            name={people.name(m.userId)}
            onRemoved={() => (removed.current = { userId: m.userId, next: sorted[i + 1]?.userId ?? null })}
          />
        </li>
      ))}
    </ul>
  );
}

interface ControlsProps {
  conversation: Conversation;
  member: Member;
  name: string;
  onRemoved: () => void;
}

function MemberControls({ conversation, member, name, onRemoved }: ControlsProps) {
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
          onConfirm={() => client.http.removeMember(conversation.id, member.userId).then(onRemoved)}
        />
      ) : null}
      <ErrorNotice error={action.error} />
    </span>
  );
}

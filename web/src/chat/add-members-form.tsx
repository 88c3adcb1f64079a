import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { parseHandles, useFindUsers } from './find-users';
import { ErrorNotice } from '../components/error-notice';
import { HandlesField } from './handles-field';
import { useAction } from '../components/use-action';

/** Adds people to a group by handle (owners and admins; the host refuses others in words). */
export function AddMembersForm({ conversationId, onDone }: { conversationId: string; onDone: () => void }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const findUsers = useFindUsers();
  const [handles, setHandles] = useState('');
  const [missing, setMissing] = useState(false);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const list = parseHandles(handles);
    setMissing(list.length === 0);
    if (list.length === 0) return;
    void action.run(async () => {
      const users = await findUsers(list);
      await client.http.addMembers(
        conversationId,
        users.map((u) => u.id),
      );
      setHandles('');
      onDone();
    });
  };
  return (
    <form class="stack chat-form add-members" onSubmit={submit} noValidate aria-busy={action.busy}>
      <HandlesField
        label={t('chat.members.handles')}
        help={t('chat.start.membersHelp')}
        value={handles}
        onValue={setHandles}
        name="handles"
        missing={missing}
      />
      <ErrorNotice error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {t('chat.members.add')}
      </button>
    </form>
  );
}

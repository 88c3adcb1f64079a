import { useState } from 'preact/hooks';
import { TextField } from '../components/text-field';
import { useI18n } from '../i18n/i18n-context';
import { navigate } from '../router/router';
import { useSignedIn } from '../session/session-context';
import { useFindUsers } from './find-users';
import { ErrorNotice } from '../components/error-notice';
import { HandlesField, useHandles } from './handles-field';
import { useAction } from '../components/use-action';
import { useFocusOnMount } from '../components/use-focus-on-mount';

/** Creates a group with a title and members by handle; I am its owner. */
export function GroupForm({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const { client, user: me } = useSignedIn();
  const findUsers = useFindUsers();
  const [title, setTitle] = useState('');
  const members = useHandles({ multiple: true, required: false });
  const [missing, setMissing] = useState(false);
  const action = useAction();
  // Opened with its button, the form takes what is typed next.
  const form = useFocusOnMount<HTMLFormElement>();
  const submit = (event: Event) => {
    event.preventDefault();
    setMissing(title.trim() === '');
    const handles = members.check();
    if (title.trim() === '' || !handles) return;
    void action.run(async () => {
      const users = await findUsers(handles);
      const ids = users.map((u) => u.id).filter((id) => id !== me.id);
      const conversation = await client.http.createGroup(title.trim(), ids);
      onDone();
      navigate(`/c/${encodeURIComponent(conversation.id)}`);
    });
  };
  return (
    <form class="stack chat-form" ref={form} onSubmit={submit} noValidate aria-busy={action.busy}>
      <TextField
        label={t('chat.start.title')}
        value={title}
        onValue={setTitle}
        name="title"
        required
        maxLength={128}
        error={missing ? t('validation.required') : null}
      />
      <HandlesField
        label={t('chat.start.members')}
        help={t('chat.start.membersHelp')}
        name="members"
        handles={members}
      />
      <ErrorNotice error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {t('chat.start.createGroup')}
      </button>
    </form>
  );
}

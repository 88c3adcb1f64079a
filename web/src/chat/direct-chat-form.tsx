import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { navigate } from '../router/router';
import { useSignedIn } from '../session/session-context';
import { parseHandles, useFindUsers } from './find-users';
import { ErrorNotice } from '../components/error-notice';
import { HandlesField } from './handles-field';
import { LocalError } from '../i18n/local-error';
import { useAction } from '../components/use-action';

/** Opens the direct conversation with the person of a handle (the host creates it on first use). */
export function DirectChatForm({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const { client, user: me } = useSignedIn();
  const findUsers = useFindUsers();
  const [handle, setHandle] = useState('');
  const [missing, setMissing] = useState(false);
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    const [first] = parseHandles(handle);
    setMissing(!first);
    if (!first) return;
    void action.run(async () => {
      const [other] = await findUsers([first]);
      if (other!.id === me.id) throw new LocalError('chat.start.notYourself');
      const conversation = await client.http.direct(other!.id);
      onDone();
      navigate(`/c/${encodeURIComponent(conversation.id)}`);
    });
  };
  return (
    <form class="stack chat-form" onSubmit={submit} noValidate aria-busy={action.busy}>
      <HandlesField
        label={t('chat.start.handle')}
        help={t('chat.start.handleHelp')}
        value={handle}
        onValue={setHandle}
        name="handle"
        missing={missing}
      />
      <ErrorNotice error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {t('chat.start.openDirect')}
      </button>
    </form>
  );
}

import { useI18n } from '../i18n/i18n-context';
import { navigate } from '../router/router';
import { useSignedIn } from '../session/session-context';
import { useFindUsers } from './find-users';
import { ErrorNotice } from '../components/error-notice';
import { HandlesField, useHandles } from './handles-field';
import { LocalError } from '../i18n/local-error';
import { useAction } from '../components/use-action';
import { useFocusOnMount } from '../components/use-focus-on-mount';

/** Opens the direct conversation with the person of a handle (the host creates it on first use). */
export function DirectChatForm({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const { client, user: me } = useSignedIn();
  const findUsers = useFindUsers();
  const handle = useHandles({ multiple: false, required: true });
  const action = useAction();
  // Opened with its button, the form takes what is typed next.
  const form = useFocusOnMount<HTMLFormElement>();
  const submit = (event: Event) => {
    event.preventDefault();
    const handles = handle.check();
    if (!handles) return;
    void action.run(async () => {
      const [other] = await findUsers(handles);
      if (other!.id === me.id) throw new LocalError('chat.start.notYourself');
      const conversation = await client.http.direct(other!.id);
      onDone();
      navigate(`/c/${encodeURIComponent(conversation.id)}`);
    });
  };
  return (
    <form class="stack chat-form" ref={form} onSubmit={submit} noValidate aria-busy={action.busy}>
      <HandlesField label={t('chat.start.handle')} help={t('chat.start.handleHelp')} name="handle" handles={handle} />
      <ErrorNotice error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {t('chat.start.openDirect')}
      </button>
    </form>
  );
}

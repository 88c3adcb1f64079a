import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { useFindUsers } from './find-users';
import { ErrorNotice } from '../components/error-notice';
import { HandlesField, useHandles } from './handles-field';
import { useAction } from '../components/use-action';
import { refocusIfLost } from '../components/use-focus-on-mount';
import { useRef } from 'preact/hooks';

/**
 * Adds people to a group by handle (owners and admins; the host refuses others in words). The
 * details stay open, so the new members show in the list above, and the field is emptied for more.
 */
export function AddMembersForm({ conversationId }: { conversationId: string }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const findUsers = useFindUsers();
  const handles = useHandles({ multiple: true, required: true });
  const action = useAction();
  const form = useRef<HTMLFormElement>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    const list = handles.check();
    if (!list) return;
    // The button is disabled while it works: the field, emptied for more, keeps the focus.
    void action
      .run(async () => {
        const users = await findUsers(list);
        await client.http.addMembers(
          conversationId,
          users.map((u) => u.id),
        );
        handles.setValue('');
      })
      .then(() => refocusIfLost(form.current?.querySelector('input')));
  };
  return (
    <form class="stack chat-form add-members" ref={form} onSubmit={submit} noValidate aria-busy={action.busy}>
      <HandlesField
        label={t('chat.members.handles')}
        help={t('chat.start.membersHelp')}
        name="handles"
        handles={handles}
      />
      <ErrorNotice error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {t('chat.members.add')}
      </button>
    </form>
  );
}

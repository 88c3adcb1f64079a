import { useRef, useState } from 'preact/hooks';
import type { Conversation } from '../../../sdk/protocol/message.js';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { refocusIfLost } from '../components/use-focus-on-mount';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';

/** Renames a group (owners and admins); everyone sees the new name from the system message. */
export function GroupRenameForm({ conversation }: { conversation: Conversation }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const [title, setTitle] = useState(conversation.title ?? '');
  const action = useAction();
  const field = useRef<HTMLInputElement>(null);
  const trimmed = title.trim();
  const submit = (event: Event) => {
    event.preventDefault();
    if (trimmed === '' || trimmed === conversation.title) return;
    // The button is disabled while it works (and after: the name is the group's): the field keeps the focus.
    void action
      .run(async () => {
        await client.http.renameGroup(conversation.id, trimmed);
      })
      .then(() => refocusIfLost(field.current));
  };
  return (
    <form class="stack chat-form" onSubmit={submit} noValidate aria-busy={action.busy}>
      <label for="group-rename">{t('chat.group.renameLabel')}</label>
      <input
        id="group-rename"
        ref={field}
        name="title"
        maxLength={128}
        required
        value={title}
        onInput={(event) => setTitle(event.currentTarget.value)}
      />
      <ErrorNotice error={action.error} />
      <button type="submit" disabled={action.busy || trimmed === '' || trimmed === conversation.title}>
        {t('chat.group.rename')}
      </button>
    </form>
  );
}

import { useState } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { useFocusOnMount } from '../components/use-focus-on-mount';
import { whenOnline } from './when-online';

/** Edits one of my text messages in place: Enter saves, Shift+Enter is a new line, Escape cancels. */
export function MessageEditForm({ message, text, onDone }: { message: Message; text: string; onDone: () => void }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const [draft, setDraft] = useState(text);
  const action = useAction();
  const box = useFocusOnMount<HTMLTextAreaElement>();
  const save = () => {
    const next = draft.trim();
    if (next === '') return;
    if (next === text) return onDone();
    void action.run(async () => {
      await whenOnline(client);
      await client.edit(message.conversationId, message.id, next);
      onDone();
    });
  };
  return (
    <form
      class="message-edit"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <textarea
        aria-label={t('chat.edit.label')}
        ref={box}
        value={draft}
        rows={2}
        onInput={(e) => setDraft(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
          } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            save();
          }
        }}
      />
      <ErrorNotice error={action.error} />
      <div class="button-row">
        <button type="submit" class="primary" disabled={action.busy || draft.trim() === ''}>
          {t('chat.edit.save')}
        </button>
        <button type="button" onClick={onDone}>
          {t('chat.edit.cancel')}
        </button>
      </div>
    </form>
  );
}

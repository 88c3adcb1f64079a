import { useState } from 'preact/hooks';
import { fullTime, shortTime } from '../i18n/format-time';
import { usePeople } from '../people/people';
import { useAction } from '../components/use-action';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import type { AgentApi } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { useLoad } from '../components/use-load';

/** Private notes: stored apart from the conversation, for the business's agents only (never the customer). */
export function NotesPanel({ api, threadId }: { api: AgentApi; threadId: string }) {
  const { t, language } = useI18n();
  const people = usePeople();
  const notes = useLoad(() => api.notes(threadId), [threadId]);
  const [text, setText] = useState('');
  const action = useAction();
  return (
    <section class="agent-notes" aria-labelledby="agent-notes-title">
      <h3 id="agent-notes-title">{t('agent.notes.title')}</h3>
      <p class="agent-muted">{t('agent.notes.private')}</p>
      <ErrorNotice error={notes.error} describe={agentErrorText} />
      {(notes.data ?? []).length === 0 ? (
        <p class="agent-empty">{t('agent.notes.empty')}</p>
      ) : (
        <ul class="agent-note-list">
          {notes.data!.map((n) => (
            <li key={n.noteId}>
              <p class="message-meta">
                <span>{people.name(n.authorId)}</span>{' '}
                <time dateTime={n.createdAt} title={fullTime(n.createdAt, language)}>
                  {shortTime(n.createdAt, language)}
                </time>
              </p>
              <p class="agent-note-text">{n.text}</p>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const body = text.trim();
          if (body === '') return;
          void action.run(async () => {
            await api.addNote(threadId, body);
            setText('');
            notes.reload();
          });
        }}
      >
        <label class="field">
          <span>{t('agent.notes.add')}</span>
          <textarea rows={2} maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t('agent.notes.save')}
        </button>
        <ErrorNotice error={action.error} describe={agentErrorText} />
      </form>
    </section>
  );
}

import { useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import type { AgentApi, Thread, ThreadStatus } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { fullTime } from '../i18n/format-time';

interface Props {
  api: AgentApi;
  thread: Thread;
  onChanged: (thread: Thread) => void;
}

/** The thread's status: open, pending, resolved, or snoozed until a time (or the customer's next message). */
export function StatusControls({ api, thread, onChanged }: Props) {
  const { t, language } = useI18n();
  const action = useAction();
  const [until, setUntil] = useState('');
  const set = (status: ThreadStatus, snoozedUntil?: string) =>
    void action.run(async () => onChanged(await api.status(thread.threadId, status, snoozedUntil)));
  const others = (['open', 'pending', 'resolved'] as const).filter((s) => s !== thread.status);
  return (
    <div class="agent-control-group" role="group" aria-label={t('agent.status.group')}>
      <p>
        {t('agent.status.current', { status: t(`agent.status.${thread.status}`) })}
        {thread.status === 'snoozed' && thread.snoozedUntil
          ? ` ${t('agent.status.until', { time: fullTime(thread.snoozedUntil, language) })}`
          : ''}
      </p>
      {others.map((s) => (
        <button key={s} type="button" disabled={action.busy} onClick={() => set(s)}>
          {t(`agent.status.set.${s}`)}
        </button>
      ))}
      <form
        class="agent-inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          // datetime-local is the agent's local time; the host takes an ISO instant.
          set('snoozed', until ? new Date(until).toISOString() : undefined);
        }}
      >
        <label class="agent-inline-field">
          {t('agent.status.snoozeUntil')}
          <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          {t('agent.status.snooze')}
        </button>
      </form>
      <ErrorNotice error={action.error} describe={agentErrorText} />
    </div>
  );
}

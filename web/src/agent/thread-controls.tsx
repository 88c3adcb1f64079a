import { useState } from 'preact/hooks';
import { usePeople } from '../people/people';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { PRIORITIES, type Agent, type AgentApi, type Priority, type Thread } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { ErrorNotice } from '../components/error-notice';
import { ChoiceField } from './choice-field';
import { StatusControls } from './status-controls';

interface Props {
  api: AgentApi;
  thread: Thread;
  agents: Agent[];
  hasBot: boolean;
  onChanged: (thread: Thread) => void;
}

/** Who handles the thread (assignee, bot or agents) and its triage (priority, labels); status is its own part. */
export function ThreadControls({ api, thread, agents, hasBot, onChanged }: Props) {
  const { t } = useI18n();
  const { user } = useSignedIn();
  const people = usePeople();
  const action = useAction();
  const [labels, setLabels] = useState(thread.labels.join(', '));
  const run = (work: () => Promise<Thread>) => action.run(async () => onChanged(await work()));
  const id = thread.threadId;
  return (
    <div class="agent-controls">
      <div class="agent-control-group" role="group" aria-label={t('agent.assignee.group')}>
        <ChoiceField
          label={t('agent.assignee.label')}
          value={thread.assignee ?? ''}
          empty={t('agent.assignee.nobody')}
          disabled={action.busy}
          choices={agents.map((a) => ({
            value: a.userId,
            label:
              a.userId === user.id ? t('agent.assignee.meNamed', { name: user.displayName }) : people.name(a.userId),
          }))}
          onChange={(value) => void run(() => api.assign(id, value || null))}
        />
        {thread.assignee !== user.id ? (
          <button type="button" disabled={action.busy} onClick={() => void run(() => api.assign(id, user.id))}>
            {t('agent.assignee.takeIt')}
          </button>
        ) : null}
      </div>
      <div class="agent-control-group" role="group" aria-label={t('agent.control.group')}>
        <p>{thread.control === 'bot' ? t('agent.control.withBot') : t('agent.control.withAgents')}</p>
        {thread.control === 'bot' ? (
          <>
            <button type="button" disabled={action.busy} onClick={() => void run(() => api.control(id, 'take'))}>
              {t('agent.control.take')}
            </button>
            <button type="button" disabled={action.busy} onClick={() => void run(() => api.control(id, 'request'))}>
              {t('agent.control.request')}
            </button>
          </>
        ) : hasBot ? (
          <button type="button" disabled={action.busy} onClick={() => void run(() => api.control(id, 'pass'))}>
            {t('agent.control.pass')}
          </button>
        ) : null}
      </div>
      <StatusControls api={api} thread={thread} onChanged={onChanged} />
      <div class="agent-control-group" role="group" aria-label={t('agent.triage.group')}>
        <ChoiceField
          label={t('agent.triage.priority')}
          value={thread.priority}
          disabled={action.busy}
          choices={PRIORITIES.map((p) => ({ value: p, label: t(`agent.priority.${p}`) }))}
          onChange={(value) => void run(() => api.triage(id, { priority: value as Priority }))}
        />
        <form
          class="agent-inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            const list = labels
              .split(',')
              .map((l) => l.trim().toLowerCase())
              .filter((l) => l !== '');
            void run(() => api.triage(id, { labels: list }));
          }}
        >
          <label class="agent-inline-field">
            {t('agent.triage.labels')}
            <input value={labels} onInput={(e) => setLabels(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={action.busy}>
            {t('agent.triage.saveLabels')}
          </button>
        </form>
      </div>
      <ErrorNotice error={action.error} describe={agentErrorText} />
    </div>
  );
}

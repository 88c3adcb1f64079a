import { useState } from 'preact/hooks';
import { findUsers } from '../chat/find-users';
import { usePeople } from '../people/people';
import { useAction } from '../components/use-action';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { ChoiceField } from './choice-field';
import { useSignedIn } from '../session/session-context';
import type { AgentApi } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { useLoad } from '../components/use-load';

/** The business's agents and teams: add by handle (or change role and team by adding again), remove. */
export function AgentsSettings({ api, businessId }: { api: AgentApi; businessId: string }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const people = usePeople();
  const agents = useLoad(() => api.agents(businessId), [businessId]);
  const [handle, setHandle] = useState('');
  const [role, setRole] = useState('agent');
  const [team, setTeam] = useState('');
  const add = useAction();
  const remove = useAction();
  return (
    <section class="agent-card" aria-labelledby="agent-agents-title">
      <h3 id="agent-agents-title">{t('agent.agents.title')}</h3>
      <ErrorNotice error={agents.error} describe={agentErrorText} />
      <ul class="agent-plain-list">
        {(agents.data ?? []).map((a) => (
          <li key={a.userId}>
            <span>
              {t('agent.agents.row', {
                name: people.name(a.userId),
                role: t(`agent.role.${a.role}`),
                team: a.team ?? t('agent.agents.noTeam'),
              })}
            </span>{' '}
            <button
              type="button"
              disabled={remove.busy}
              aria-label={t('agent.agents.removeNamed', { name: people.name(a.userId) })}
              onClick={() =>
                void remove.run(async () => {
                  await api.removeAgent(businessId, a.userId);
                  agents.reload();
                })
              }
            >
              {t('agent.agents.remove')}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNotice error={remove.error} describe={agentErrorText} />
      <form
        class="agent-inline-form"
        aria-label={t('agent.agents.add')}
        onSubmit={(e) => {
          e.preventDefault();
          void add.run(async () => {
            const [user] = await findUsers(client, [handle.trim().replace(/^@+/, '')]);
            people.remember(user!);
            await api.addAgent(businessId, { userId: user!.id, role, team: team.trim() || null });
            setHandle('');
            setTeam('');
            agents.reload();
          });
        }}
      >
        <label class="agent-inline-field">
          {t('agent.agents.handle')}
          <input required value={handle} onInput={(e) => setHandle(e.currentTarget.value)} />
        </label>
        <ChoiceField
          label={t('agent.agents.role')}
          value={role}
          choices={(['agent', 'admin'] as const).map((r) => ({ value: r, label: t(`agent.role.${r}`) }))}
          onChange={setRole}
        />
        <label class="agent-inline-field">
          {t('agent.agents.team')}
          <input maxLength={64} value={team} onInput={(e) => setTeam(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={add.busy}>
          {t('agent.agents.add')}
        </button>
      </form>
      <ErrorNotice error={add.error} describe={agentErrorText} />
    </section>
  );
}

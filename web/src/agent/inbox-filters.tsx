import { usePeople } from '../people/people';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { PRIORITIES, STATUSES, type Agent, type InboxFilter } from './agent-api';
import { ChoiceField } from './choice-field';

interface Props {
  filter: InboxFilter;
  agents: Agent[];
  onChange: (filter: InboxFilter) => void;
}

/** The inbox's filters; they combine, and each change asks the host again. */
export function InboxFilters({ filter, agents, onChange }: Props) {
  const { t } = useI18n();
  const { user } = useSignedIn();
  const people = usePeople();
  const set = (key: keyof InboxFilter) => (value: string) => onChange({ ...filter, [key]: value || undefined });
  const teams = [...new Set(agents.map((a) => a.team).filter((team): team is string => team !== null))].sort();
  const any = t('agent.filter.any');
  return (
    <form class="agent-filters" aria-label={t('agent.filter.label')} onSubmit={(e) => e.preventDefault()}>
      <ChoiceField
        label={t('agent.filter.status')}
        value={filter.status ?? ''}
        empty={any}
        choices={STATUSES.map((s) => ({ value: s, label: t(`agent.status.${s}`) }))}
        onChange={set('status')}
      />
      <ChoiceField
        label={t('agent.filter.priority')}
        value={filter.priority ?? ''}
        empty={any}
        choices={PRIORITIES.map((p) => ({ value: p, label: t(`agent.priority.${p}`) }))}
        onChange={set('priority')}
      />
      <ChoiceField
        label={t('agent.filter.assignee')}
        value={filter.assignee ?? ''}
        empty={any}
        choices={[
          { value: 'none', label: t('agent.filter.unassigned') },
          { value: user.id, label: t('agent.filter.me') },
          ...agents.filter((a) => a.userId !== user.id).map((a) => ({ value: a.userId, label: people.name(a.userId) })),
        ]}
        onChange={set('assignee')}
      />
      {teams.length > 0 ? (
        <ChoiceField
          label={t('agent.filter.team')}
          value={filter.team ?? ''}
          empty={any}
          choices={teams.map((team) => ({ value: team, label: team }))}
          onChange={set('team')}
        />
      ) : null}
      <label class="agent-inline-field">
        {t('agent.filter.labelName')}
        <input
          type="search"
          value={filter.label ?? ''}
          onChange={(e) => set('label')(e.currentTarget.value.trim().toLowerCase())}
        />
      </label>
    </form>
  );
}

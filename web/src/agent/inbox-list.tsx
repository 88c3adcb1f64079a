import { usePeople } from '../people/people';
import { shortTime } from '../i18n/format-time';
import { useI18n } from '../i18n/i18n-context';
import type { Thread } from './agent-api';

interface Props {
  threads: Thread[];
  openId: string | null;
  onOpen: (threadId: string) => void;
}

/** The inbox's threads, most recent activity first (the host's order): who, state, triage, who has it. */
export function InboxList({ threads, openId, onOpen }: Props) {
  const { t, language } = useI18n();
  const people = usePeople();
  if (threads.length === 0) return <p class="agent-empty">{t('agent.inbox.empty')}</p>;
  return (
    <ul class="agent-thread-list" aria-label={t('agent.inbox.threads')}>
      {threads.map((th) => (
        <li key={th.threadId}>
          <button
            type="button"
            class="agent-thread-item"
            aria-current={th.threadId === openId ? 'true' : undefined}
            onClick={() => onOpen(th.threadId)}
          >
            <span class="agent-thread-customer">{people.name(th.customerId)}</span>
            <span class="agent-thread-facts">
              {t(`agent.status.${th.status}`)} · {t(`agent.priority.${th.priority}`)}
              {th.control === 'bot' ? ` · ${t('agent.control.withBot')}` : ''}
              {' · '}
              {th.assignee === null
                ? t('agent.assignee.nobody')
                : t('agent.inbox.assignedTo', { name: people.name(th.assignee) })}
            </span>
            {th.labels.length > 0 ? <span class="agent-thread-labels">{th.labels.join(', ')}</span> : null}
            {th.lastCustomerMessageAt ? (
              <time dateTime={th.lastCustomerMessageAt}>{shortTime(th.lastCustomerMessageAt, language)}</time>
            ) : null}
          </button>
        </li>
      ))}
    </ul>
  );
}

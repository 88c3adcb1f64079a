import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n-context';
import type { AgentApi, InboxFilter, MyBusiness } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { InboxFilters } from './inbox-filters';
import { InboxList } from './inbox-list';
import { ThreadView } from './thread-view';
import { useInboxEvents } from './use-inbox-events';

/**
 * The inbox of one business: filters, the threads, and the open thread beside them, all live from
 * the agents' room. What every thread needs (settings, agents, canned responses, CSAT) is read here once.
 */
export function InboxScreen({ api, business }: { api: AgentApi; business: MyBusiness }) {
  const { t } = useI18n();
  const [filter, setFilter] = useState<InboxFilter>({});
  const [openId, setOpenId] = useState<string | null>(null);
  const [changes, setChanges] = useState(0);
  const settings = useLoad(() => api.settings(business.id), [business.id]);
  const agents = useLoad(() => api.agents(business.id), [business.id]);
  const canned = useLoad(() => api.canned(business.id), [business.id]);
  const csat = useLoad(() => api.csat(business.id), [business.id]);
  const inbox = useLoad(() => api.inbox(business.id, filter), [business.id, JSON.stringify(filter)]);
  useInboxEvents(
    settings.data?.agentsConversationId,
    (event) => {
      // A reply moves the open thread's conversation, not the list (it shows what the customer did).
      if (event.event !== 'business_message') inbox.reload();
      if (event.event === 'csat') csat.reload();
      if (openId !== null && event.threadIds.includes(openId)) setChanges((n) => n + 1);
    },
    () => {
      settings.reload();
      inbox.reload();
    },
  );
  const teamOf = new Map((agents.data ?? []).map((a) => [a.userId, a.team]));
  // The API has no team filter: a team's threads are those assigned to its agents.
  const threads = (inbox.data ?? []).filter(
    (th) => !filter.team || (th.assignee !== null && teamOf.get(th.assignee) === filter.team),
  );
  const changed = () => {
    inbox.reload();
    setChanges((n) => n + 1);
  };
  return (
    <div class="agent-inbox-screen">
      <section class="agent-inbox" aria-labelledby="agent-inbox-title">
        <h2 id="agent-inbox-title">{t('agent.inbox.title')}</h2>
        <InboxFilters filter={filter} agents={agents.data ?? []} onChange={setFilter} />
        <ErrorNotice error={inbox.error} describe={agentErrorText} />
        {inbox.data === undefined ? null : <InboxList threads={threads} openId={openId} onOpen={setOpenId} />}
      </section>
      {openId ? (
        <ThreadView
          key={openId}
          api={api}
          business={business}
          threadId={openId}
          agents={agents.data ?? []}
          hasBot={Boolean(settings.data?.bot)}
          canned={canned.data ?? []}
          csat={csat}
          changes={changes}
          onChanged={changed}
          onClose={() => setOpenId(null)}
        />
      ) : (
        <p class="agent-empty agent-thread-placeholder">{t('agent.thread.none')}</p>
      )}
    </div>
  );
}

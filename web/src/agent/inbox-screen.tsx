import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import type { AgentApi, InboxFilter, MyBusiness } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { InboxFilters } from './inbox-filters';
import { InboxList } from './inbox-list';
import { ThreadView } from './thread-view';
import { useAgentLoad } from './use-agent-load';
import { useInboxEvents } from './use-inbox-events';

/** Customer messages bring no inbox event (they reorder the list): ask again this often meanwhile. */
const INBOX_REFRESH_MS = 20_000;

/** The inbox of one business: filters, the threads, and the open thread beside them, all live. */
export function InboxScreen({ api, business }: { api: AgentApi; business: MyBusiness }) {
  const { t } = useI18n();
  const [filter, setFilter] = useState<InboxFilter>({});
  const [openId, setOpenId] = useState<string | null>(null);
  const [changes, setChanges] = useState(0);
  const settings = useAgentLoad(() => api.settings(business.id), business.id);
  const agents = useAgentLoad(() => api.agents(business.id), business.id);
  const inbox = useAgentLoad(() => api.inbox(business.id, filter), JSON.stringify(filter), INBOX_REFRESH_MS);
  useInboxEvents(
    settings.data?.agentsConversationId,
    (event) => {
      inbox.reload();
      if (event.threadId === openId) setChanges((n) => n + 1);
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

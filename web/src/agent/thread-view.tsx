import { useMemo } from 'preact/hooks';
import { MessageLog } from '../chat/message-log';
import { usePeople } from '../chat/people';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { AgentComposer } from './agent-composer';
import type { Agent, AgentApi, MyBusiness, Thread } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { CsatPanel } from './csat-panel';
import { NotesPanel } from './notes-panel';
import { ThreadControls } from './thread-controls';
import { useAgentLoad } from './use-agent-load';
import { useThreadMessages } from './use-thread-messages';

/** The thread's state is asked again this often too: the customer's messages move its window and status. */
const THREAD_REFRESH_MS = 10_000;

interface Props {
  api: AgentApi;
  business: MyBusiness;
  threadId: string;
  agents: Agent[];
  /** Goes up when an inbox event names this thread: read it again. */
  changes: number;
  onChanged: () => void;
  onClose: () => void;
}

/** One thread: the customer's conversation and the composer, its handling, private notes, and CSAT. */
export function ThreadView({ api, business, threadId, agents, changes, onChanged, onClose }: Props) {
  const { t } = useI18n();
  const people = usePeople();
  const thread = useAgentLoad(() => api.thread(threadId), `${threadId}:${changes}`, THREAD_REFRESH_MS);
  const settings = useAgentLoad(() => api.settings(business.id), business.id);
  const log = useThreadMessages(api, threadId);
  const noop = useMemo(() => () => undefined, []);
  const th: Thread | undefined = thread.data;
  const customer = th ? people.name(th.customerId) : '';
  return (
    <section class="agent-thread" aria-labelledby="agent-thread-title">
      <header class="agent-thread-header">
        <h2 id="agent-thread-title">{th ? t('agent.thread.title', { name: customer }) : t('app.loading')}</h2>
        <button type="button" onClick={onClose}>
          {t('agent.thread.close')}
        </button>
      </header>
      <ErrorNotice error={thread.error ?? log.error} describe={agentErrorText} />
      {th ? (
        <ThreadControls
          api={api}
          thread={th}
          agents={agents}
          hasBot={Boolean(settings.data?.bot)}
          onChanged={() => {
            thread.reload();
            onChanged();
          }}
        />
      ) : null}
      <div class="agent-thread-body">
        <div class="agent-customer-side">
          <h3>{t('agent.thread.conversation')}</h3>
          <MessageLog
            conversationId={th?.conversationId ?? ''}
            messages={log.messages}
            pending={[]}
            notes={[]}
            hasOlder={log.hasOlder}
            loadOlder={log.loadOlder}
            moderator={false}
            seen={null}
            readOnly
            onReply={noop}
            onDismissNote={noop}
          />
          {th ? (
            <AgentComposer
              api={api}
              thread={th}
              businessName={business.name}
              onSent={(message) => {
                log.add(message);
                thread.reload();
                onChanged();
              }}
            />
          ) : null}
        </div>
        <aside class="agent-side-panels" aria-label={t('agent.thread.sidePanels')}>
          <NotesPanel api={api} threadId={threadId} />
          <CsatPanel api={api} businessId={business.id} changes={changes} />
        </aside>
      </div>
    </section>
  );
}

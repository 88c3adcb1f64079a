import { useEffect, useMemo } from 'preact/hooks';
import { MessageLog } from '../chat/message-log';
import { usePeople } from '../people/people';
import { ErrorNotice } from '../components/error-notice';
import { useLoad, type Loaded } from '../components/use-load';
import { useI18n } from '../i18n/i18n-context';
import { AgentComposer } from './agent-composer';
import type { Agent, AgentApi, Canned, CsatReport, MyBusiness, Thread } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { CsatPanel } from './csat-panel';
import { NotesPanel } from './notes-panel';
import { ThreadControls } from './thread-controls';
import { useThreadMessages } from './use-thread-messages';

interface Props {
  api: AgentApi;
  business: MyBusiness;
  threadId: string;
  agents: Agent[];
  hasBot: boolean;
  canned: Canned[];
  csat: Loaded<CsatReport>;
  /** Goes up when an inbox event names this thread (the customer wrote, say): read it again. */
  changes: number;
  onChanged: () => void;
  onClose: () => void;
}

/** One thread: the customer's conversation and the composer, its handling, private notes, and CSAT. */
export function ThreadView(props: Props) {
  const { api, business, threadId, agents, hasBot, canned, csat, changes, onChanged, onClose } = props;
  const { t } = useI18n();
  const people = usePeople();
  const thread = useLoad(() => api.thread(threadId), [threadId, changes]);
  const log = useThreadMessages(api, threadId);
  const newest = useLoad(async () => (changes === 0 ? [] : (await api.messages(threadId)).messages), [changes]);
  const { add } = log;
  useEffect(() => newest.data?.forEach(add), [newest.data, add]);
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
      <ErrorNotice error={thread.error ?? log.error ?? newest.error} describe={agentErrorText} />
      {th ? (
        <ThreadControls
          api={api}
          thread={th}
          agents={agents}
          hasBot={hasBot}
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
              canned={canned}
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
          <CsatPanel report={csat} />
        </aside>
      </div>
    </section>
  );
}

import { useState } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { fullTime } from '../i18n/format-time';
import { usePeople } from '../people/people';
import { useAction } from '../components/use-action';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import type { AgentApi, Canned, Thread } from './agent-api';
import { agentErrorText } from './agent-error-text';
import { CannedPicker } from './canned-picker';
import { fillCanned } from './fill-canned';
import { windowClosesAt } from './messaging-window';
import { TemplateForm } from './template-form';

interface Props {
  api: AgentApi;
  thread: Thread;
  businessName: string;
  canned: Canned[];
  onSent: (message: Message) => void;
}

/**
 * The agent's reply, sent as the business (POST /threads/:id/messages). Within the 24-hour window
 * it says until when, and takes text or a canned response; outside it, only a tagged update goes out.
 */
export function AgentComposer({ api, thread, businessName, canned, onSent }: Props) {
  const { t, language } = useI18n();
  const { user } = useSignedIn();
  const people = usePeople();
  const [text, setText] = useState('');
  const action = useAction();
  const closes = windowClosesAt(thread.lastCustomerMessageAt);
  const send = (body: Record<string, unknown>, after?: () => void) =>
    action.run(async () => {
      onSent(await api.send(thread.threadId, body));
      after?.();
    });
  const customer = people.user(thread.customerId);
  const values = {
    'customer.name': customer?.displayName ?? '',
    'customer.handle': customer?.handle ?? '',
    'agent.name': user.displayName,
    'business.name': businessName,
  };
  return (
    <div class="agent-composer">
      <p class={closes ? 'agent-window open' : 'agent-window closed'} id="agent-window">
        {closes
          ? t('agent.window.openUntil', { time: fullTime(closes.toISOString(), language) })
          : thread.lastCustomerMessageAt === null
            ? t('agent.window.neverWrote')
            : t('agent.window.closed')}
      </p>
      {closes ? (
        <>
          <CannedPicker
            list={canned}
            disabled={action.busy}
            onInsert={(canned) => setText((now) => (now ? `${now} ` : '') + fillCanned(canned, values))}
            onSend={(shortcode) => void send({ canned: shortcode })}
          />
          <form
            class="composer"
            onSubmit={(e) => {
              e.preventDefault();
              const body = text.trim();
              if (body !== '') void send({ text: body }, () => setText(''));
            }}
          >
            <div class="composer-row">
              <textarea
                class="composer-input"
                aria-label={t('agent.composer.label')}
                aria-describedby="agent-window"
                rows={2}
                value={text}
                onInput={(e) => setText(e.currentTarget.value)}
              />
              <button type="submit" class="primary" disabled={action.busy}>
                {t('agent.composer.send')}
              </button>
            </div>
          </form>
        </>
      ) : (
        <TemplateForm busy={action.busy} onSend={(body, after) => void send(body, after)} />
      )}
      <ErrorNotice error={action.error} describe={agentErrorText} />
    </div>
  );
}

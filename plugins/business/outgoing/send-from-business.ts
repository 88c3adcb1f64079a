import type { Message, MessageContent } from '../../../sdk/index.js';
import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import { tellAgents } from '../events.js';
import { isObject } from '../http-handling.js';
import { renderCanned } from '../inbox/canned.js';
import { changeControl } from '../inbox/handover.js';
import { checkWindowTag, messagingWindow, outsideWindow } from './messaging-window.js';
import { consumeOptin, restoreOptin } from './optins.js';
import type { ThreadRow } from '../inbox/threads.js';

/** Structured templates: each is the message type "business.<name>", its JSON Schema in the manifest. */
export const TEMPLATE_TYPES = ['button', 'generic', 'receipt', 'order_update'] as const;

/** Who speaks for the business: an agent, its backend, its bot, or the plugin itself (away replies, surveys). */
export type Sender = { kind: 'agent'; userId: string } | { kind: 'backend' } | { kind: 'bot' } | { kind: 'business' };

/**
 * The message a request asks for: `text` (with `quickReplies`, the "business.text" type), a
 * `template` ({ type: button | generic | receipt | order_update, ...its fields }), or, for
 * agents, a `canned` response by shortcode. The host checks the body against the type's schema.
 */
async function contentOf(
  app: BusinessApp,
  thread: ThreadRow,
  body: Record<string, unknown>,
  sender: Sender,
): Promise<MessageContent> {
  const given = ['text', 'template', 'canned'].filter((k) => body[k] !== undefined);
  if (given.length !== 1)
    throw new BusinessError('invalid_business_request', 'Send exactly one of text, template or canned.');
  const quickReplies = body.quickReplies === undefined ? {} : { quickReplies: body.quickReplies };
  if (body.template !== undefined) {
    if (!isObject(body.template) || !TEMPLATE_TYPES.includes(body.template.type as (typeof TEMPLATE_TYPES)[number])) {
      throw new BusinessError('invalid_business_request', `template.type is one of ${TEMPLATE_TYPES.join(', ')}.`);
    }
    const { type, ...fields } = body.template;
    assertNoSurveyIds({ ...fields, ...quickReplies });
    return { type: `business.${String(type)}`, body: { ...fields, ...quickReplies } };
  }
  let text = body.text;
  if (body.canned !== undefined) {
    if (sender.kind !== 'agent')
      throw new BusinessError('invalid_business_request', 'Canned responses are for agents.');
    const [customer, agent, b] = await Promise.all([
      app.ctx.users.get(thread.customer_id),
      app.ctx.users.get(sender.userId),
      app.businesses.get(thread.business_id),
    ]);
    text = await renderCanned(app.ctx, thread.business_id, body.canned, {
      'customer.name': customer.displayName,
      'customer.handle': customer.handle,
      'agent.name': agent.displayName,
      'business.name': b.name,
    });
  }
  if (typeof text !== 'string' || text.length === 0 || text.length > 4000)
    throw new BusinessError('invalid_business_request', 'text is 1 to 4000 characters.');
  if (body.quickReplies !== undefined) assertNoSurveyIds(quickReplies);
  return body.quickReplies === undefined
    ? { type: 'text', text }
    : { type: 'business.text', body: { text, ...quickReplies } };
}

/** "csat:<n>" taps rate the conversation: only the plugin's own survey may carry them. */
function assertNoSurveyIds(body: unknown): void {
  if (/"id":"csat:/.test(JSON.stringify(body)))
    throw new BusinessError(
      'invalid_business_request',
      'Button and quick reply ids starting with "csat:" are reserved for the satisfaction survey.',
    );
}

/**
 * Sends a message for the business, as the business bot, under the messaging policy: within 24
 * hours of the customer's last message anything may go out; after that only a message tagged as
 * a transactional update, or one that spends a single-use opt-in token the customer granted.
 * The bot may speak only while it has thread control; an agent who speaks takes it.
 */
export async function sendFromBusiness(
  app: BusinessApp,
  thread: ThreadRow,
  body: Record<string, unknown>,
  sender: Sender,
): Promise<Message> {
  const content = await contentOf(app, thread, body, sender);
  const { tag, optinToken } = body;
  if (
    body.clientMsgId !== undefined &&
    (typeof body.clientMsgId !== 'string' || body.clientMsgId.length === 0 || body.clientMsgId.length > 64)
  ) {
    throw new BusinessError('invalid_business_request', 'clientMsgId is 1 to 64 characters.');
  }
  checkWindowTag(tag);
  if (sender.kind === 'bot' && thread.control !== 'bot')
    throw new BusinessError(
      'not_thread_owner',
      'The agents have this conversation; ask for it with requestThreadControl.',
    );
  let spent: string | null = null;
  if (tag === undefined) {
    const window = await messagingWindow(app, thread);
    if (!window.open) {
      if (optinToken === undefined) throw outsideWindow(window.lastCustomerAt);
      spent = await consumeOptin(app.ctx, thread, optinToken);
    }
  }
  const clientMsgId = body.clientMsgId;
  let message: Message;
  try {
    message = await app.ctx.messages.send(
      thread.conversation_id,
      content,
      typeof clientMsgId === 'string' ? { clientMsgId } : {},
    );
  } catch (err) {
    // Nothing went out, so the customer's permission is still unused.
    if (spent !== null) await restoreOptin(app.ctx, spent);
    throw err;
  }
  // An agent who speaks while the bot has the conversation takes it (once the message is out).
  if (sender.kind === 'agent' && thread.control === 'bot')
    await changeControl(app, thread, 'take', 'agents', sender.userId);
  announce(app, thread, sender);
  return message;
}

/**
 * Agents are no members of the customer's conversation: their consoles show it when the agents'
 * room says it moved. Not awaited, so a reply is not held up by the room; a lost announcement only
 * leaves a console's thread to its next reload, so it is logged, not thrown.
 */
function announce(app: BusinessApp, thread: ThreadRow, sender: Sender): void {
  const fields = {
    threadId: thread.id,
    sender: sender.kind,
    ...(sender.kind === 'agent' ? { agentId: sender.userId } : {}),
  };
  tellAgents(app, thread.business_id, 'business_message', fields).catch((err: unknown) =>
    app.ctx.log.warn('could not tell the agents of a reply', {
      threadId: thread.id,
      error: String((err as Error)?.message ?? err),
    }),
  );
}

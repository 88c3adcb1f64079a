import type { Message, MessageContent } from '../../sdk/index.js';
import type { BusinessApp } from './business-app.js';
import { BusinessError } from './business-error.js';
import { isObject } from './http-handling.js';
import { business } from './businesses.js';
import { renderCanned } from './canned.js';
import { changeControl } from './handover.js';
import { consumeOptin, restoreOptin } from './optins.js';
import type { ThreadRow } from './threads.js';

/** Free-form business messages may follow a customer's message by at most this long. */
export const MESSAGING_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Tags that may go out after the window: transactional updates the customer expects. */
export const WINDOW_TAGS = ['order_update', 'account_update'] as const;
/** Structured templates: each is the message type "business.<name>", its JSON Schema in the manifest. */
export const TEMPLATE_TYPES = ['button', 'generic', 'receipt', 'order_update'] as const;

/** Who speaks for the business: an agent, its backend, its bot, or the plugin itself (away replies, surveys). */
export type Sender = { kind: 'agent'; userId: string } | { kind: 'backend' } | { kind: 'bot' } | { kind: 'business' };

/**
 * The message a request asks for: `text` (with `quickReplies`, the "business.text" type), a
 * `template` ({ type: button | generic | receipt | order_update, ...its fields }), or, for
 * agents, a `canned` response by shortcode. The host checks the body against the type's schema.
 */
async function contentOf(app: BusinessApp, thread: ThreadRow, body: Record<string, unknown>, sender: Sender): Promise<MessageContent> {
  const given = ['text', 'template', 'canned'].filter((k) => body[k] !== undefined);
  if (given.length !== 1) throw new BusinessError('invalid_business_request', 'Send exactly one of text, template or canned.');
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
    if (sender.kind !== 'agent') throw new BusinessError('invalid_business_request', 'Canned responses are for agents.');
    const [customer, agent, b] = await Promise.all([app.ctx.users.get(thread.customer_id), app.ctx.users.get(sender.userId), business(app.ctx, thread.business_id)]);
    text = await renderCanned(app.ctx, thread.business_id, body.canned, {
      'customer.name': customer.displayName, 'customer.handle': customer.handle, 'agent.name': agent.displayName, 'business.name': b.name,
    });
  }
  if (typeof text !== 'string' || text.length === 0 || text.length > 4000) throw new BusinessError('invalid_business_request', 'text is 1 to 4000 characters.');
  if (body.quickReplies !== undefined) assertNoSurveyIds(quickReplies);
  return body.quickReplies === undefined ? { type: 'text', text } : { type: 'business.text', body: { text, ...quickReplies } };
}

/** "csat:<n>" taps rate the conversation: only the plugin's own survey may carry them. */
function assertNoSurveyIds(body: unknown): void {
  if (/"id":"csat:/.test(JSON.stringify(body))) throw new BusinessError('invalid_business_request', 'Button and quick reply ids starting with "csat:" are reserved for the satisfaction survey.');
}

export function inWindow(thread: ThreadRow, now = Date.now()): boolean {
  return thread.last_customer_at !== null && now - thread.last_customer_at <= MESSAGING_WINDOW_MS;
}

/** How far back the window check reads the conversation when the thread's record says closed. */
const HISTORY_PAGE = 100;
const HISTORY_PAGES = 10;

/**
 * Whether the window is open now, and the time of the customer's last message as far as it is
 * known. The thread's `last_customer_at` is written after the host reports a message, which is
 * after the customer's send was acknowledged: a reply sent at once would find it stale. So when
 * the record says closed, the conversation's messages, the source of truth, decide: the newest
 * ones, back to the start of the window (at most 1,000), are read for one from the customer.
 * Without messages.read granted, the record alone decides.
 */
export async function messagingWindow(app: BusinessApp, thread: ThreadRow, now = Date.now()): Promise<{ open: boolean; lastCustomerAt: number | null }> {
  if (inWindow(thread, now)) return { open: true, lastCustomerAt: thread.last_customer_at };
  const closed = { open: false, lastCustomerAt: thread.last_customer_at };
  const since = now - MESSAGING_WINDOW_MS;
  let before: number | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    let result: { messages: Message[]; hasMore: boolean };
    try {
      result = await app.ctx.messages.history(thread.conversation_id, { limit: HISTORY_PAGE, ...(before === undefined ? {} : { before }) });
    } catch (err) {
      app.ctx.log.warn('the messaging window fell back to the recorded customer message', { threadId: thread.id, error: String((err as Error)?.message ?? err) });
      return closed;
    }
    const { messages, hasMore } = result;
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i]!;
      const at = Date.parse(message.createdAt);
      if (!(at > since)) return closed;
      if (message.senderId === thread.customer_id) return { open: true, lastCustomerAt: at };
    }
    if (!hasMore || messages.length === 0) break;
    before = messages[0]!.seq;
  }
  return closed;
}

/** The refusal of a free-form message outside the window, saying whether the customer ever wrote. */
export function outsideWindow(lastCustomerAt: number | null): BusinessError {
  return lastCustomerAt === null
    ? new BusinessError('outside_messaging_window', "The customer has not written in this conversation yet: only tagged updates (order_update, account_update) or a message with an opt-in token may go out.", { lastCustomerMessageAt: null })
    : new BusinessError('outside_messaging_window', undefined, { lastCustomerMessageAt: new Date(lastCustomerAt).toISOString() });
}

/**
 * Sends a message for the business, as the business bot, under the messaging policy: within 24
 * hours of the customer's last message anything may go out; after that only a message tagged as
 * a transactional update, or one that spends a single-use opt-in token the customer granted.
 * The bot may speak only while it has thread control; an agent who speaks takes it.
 */
export async function sendFromBusiness(app: BusinessApp, thread: ThreadRow, body: Record<string, unknown>, sender: Sender): Promise<Message> {
  const content = await contentOf(app, thread, body, sender);
  const { tag, optinToken } = body;
  if (body.clientMsgId !== undefined && (typeof body.clientMsgId !== 'string' || body.clientMsgId.length === 0 || body.clientMsgId.length > 64)) {
    throw new BusinessError('invalid_business_request', 'clientMsgId is 1 to 64 characters.');
  }
  if (tag !== undefined && !WINDOW_TAGS.includes(tag as (typeof WINDOW_TAGS)[number])) {
    throw new BusinessError('invalid_business_request', `tag is one of ${WINDOW_TAGS.join(', ')}.`);
  }
  if (sender.kind === 'bot' && thread.control !== 'bot') throw new BusinessError('not_thread_owner', 'The agents have this conversation; ask for it with requestThreadControl.');
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
    message = await app.ctx.messages.send(thread.conversation_id, content, typeof clientMsgId === 'string' ? { clientMsgId } : {});
  } catch (err) {
    // Nothing went out, so the customer's permission is still unused.
    if (spent !== null) await restoreOptin(app.ctx, spent);
    throw err;
  }
  // An agent who speaks while the bot has the conversation takes it (once the message is out).
  if (sender.kind === 'agent' && thread.control === 'bot') await changeControl(app, thread, 'take', 'agents', sender.userId);
  return message;
}

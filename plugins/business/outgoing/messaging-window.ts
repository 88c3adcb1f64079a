import type { Message } from '../../../sdk/index.js';
import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import type { ThreadRow } from '../inbox/threads.js';

/** Free-form business messages may follow a customer's message by at most this long. */
export const MESSAGING_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Tags that may go out after the window: transactional updates the customer expects. */
export const WINDOW_TAGS = ['order_update', 'account_update'] as const;

/** A request's `tag`, if it gives one, must be one of WINDOW_TAGS. */
export function checkWindowTag(tag: unknown): void {
  if (tag !== undefined && !WINDOW_TAGS.includes(tag as (typeof WINDOW_TAGS)[number])) {
    throw new BusinessError('invalid_business_request', `tag is one of ${WINDOW_TAGS.join(', ')}.`);
  }
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
export async function messagingWindow(
  app: BusinessApp,
  thread: ThreadRow,
  now = Date.now(),
): Promise<{ open: boolean; lastCustomerAt: number | null }> {
  if (inWindow(thread, now)) return { open: true, lastCustomerAt: thread.last_customer_at };
  const closed = { open: false, lastCustomerAt: thread.last_customer_at };
  const since = now - MESSAGING_WINDOW_MS;
  let before: number | undefined;
  for (let page = 0; page < HISTORY_PAGES; page++) {
    let result: { messages: Message[]; hasMore: boolean };
    try {
      result = await app.ctx.messages.history(thread.conversation_id, {
        limit: HISTORY_PAGE,
        ...(before === undefined ? {} : { before }),
      });
    } catch (err) {
      app.ctx.log.warn('the messaging window fell back to the recorded customer message', {
        threadId: thread.id,
        error: String((err as Error)?.message ?? err),
      });
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
    ? new BusinessError(
        'outside_messaging_window',
        'The customer has not written in this conversation yet: only tagged updates (order_update, account_update) or a message with an opt-in token may go out.',
        { lastCustomerMessageAt: null },
      )
    : new BusinessError('outside_messaging_window', undefined, {
        lastCustomerMessageAt: new Date(lastCustomerAt).toISOString(),
      });
}

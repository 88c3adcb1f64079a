import type { PluginContext } from '../../sdk/index.js';
import { BusinessError } from './business-error.js';
import { business, type BusinessRow } from './businesses.js';

export type ThreadStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export interface ThreadRow {
  id: string; business_id: string; customer_id: string; conversation_id: string; status: ThreadStatus; priority: string;
  assignee: string | null; last_customer_at: number | null; snoozed_until: number | null; created_at: number; updated_at: number; [c: string]: unknown;
}

export const STATUSES: readonly ThreadStatus[] = ['open', 'pending', 'snoozed', 'resolved'];
const MAX_SNOOZE_MS = 30 * 24 * 60 * 60 * 1000;
/** Free-form business messages may follow a customer's message by at most this long. */
export const MESSAGING_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Tags that may go out after the window: transactional updates the customer expects. */
export const WINDOW_TAGS = ['order_update', 'account_update'] as const;

export const threadView = (t: ThreadRow) => ({
  threadId: t.id, businessId: t.business_id, customerId: t.customer_id, conversationId: t.conversation_id, status: t.status,
  priority: t.priority, assignee: t.assignee, snoozedUntil: t.snoozed_until === null ? null : new Date(t.snoozed_until).toISOString(), lastCustomerMessageAt: t.last_customer_at === null ? null : new Date(t.last_customer_at).toISOString(),
  createdAt: new Date(t.created_at).toISOString(),
});

/**
 * A customer opens a conversation with a business: one per customer and business (asking again
 * returns it), a group of the customer and the business bot, titled with the business's name.
 */
export async function startThread(ctx: PluginContext, businessId: string, customerId: string): Promise<ThreadRow> {
  const b: BusinessRow = await business(ctx, businessId);
  const existing = await ctx.database.table<ThreadRow>('threads').where({ business_id: b.id, customer_id: customerId }).first();
  if (existing) return existing;
  const conversation = await ctx.conversations.createGroup(b.name.slice(0, 100), [customerId]);
  const now = Date.now();
  const row: ThreadRow = {
    id: await ctx.crypto.randomId(), business_id: b.id, customer_id: customerId, conversation_id: conversation.id, status: 'open', priority: 'normal',
    assignee: null, last_customer_at: null, snoozed_until: null, created_at: now, updated_at: now,
  };
  const inserted = await ctx.database.table<ThreadRow>('threads').insert(row, { onConflictIgnore: ['business_id', 'customer_id'] });
  if (inserted.length === 0) return (await ctx.database.table<ThreadRow>('threads').where({ business_id: b.id, customer_id: customerId }).first())!;
  return row;
}

export async function threadOf(ctx: PluginContext, threadId: unknown, businessId?: string): Promise<ThreadRow> {
  const row = typeof threadId === 'string' ? await ctx.database.table<ThreadRow>('threads').where({ id: threadId }).first() : null;
  if (!row || (businessId !== undefined && row.business_id !== businessId)) throw new BusinessError('thread_not_found');
  return row;
}

export async function inbox(ctx: PluginContext, businessId: string, status: unknown) {
  const q = ctx.database.table<ThreadRow>('threads').where({ business_id: businessId });
  if (status !== undefined) {
    if (!STATUSES.includes(status as ThreadStatus)) throw new BusinessError('invalid_business_request', `status is one of ${STATUSES.join(', ')}.`);
    q.where({ status: status as ThreadStatus });
  }
  return (await q.orderBy('updated_at', 'desc').limit(200).all()).map(threadView);
}

/**
 * Changes a conversation's status. `snoozed` takes `snoozedUntil` (an ISO time, at most 30 days
 * ahead) or none: it wakes (opens) at that time, or at the customer's next message if sooner.
 */
export async function setStatus(ctx: PluginContext, thread: ThreadRow, status: unknown, snoozedUntil?: unknown): Promise<ThreadRow> {
  if (!STATUSES.includes(status as ThreadStatus)) throw new BusinessError('invalid_business_request', `status is one of ${STATUSES.join(', ')}.`);
  let until: number | null = null;
  if (status === 'snoozed' && snoozedUntil !== undefined && snoozedUntil !== null) {
    until = typeof snoozedUntil === 'string' ? Date.parse(snoozedUntil) : NaN;
    if (!Number.isFinite(until) || until <= Date.now() || until > Date.now() + MAX_SNOOZE_MS) {
      throw new BusinessError('invalid_business_request', 'snoozedUntil is an ISO time in the next 30 days.');
    }
  }
  const updated = { status: status as ThreadStatus, snoozed_until: until, updated_at: Date.now() };
  await ctx.database.table<ThreadRow>('threads').where({ id: thread.id }).update(updated);
  if (until !== null) await ctx.scheduler.schedule('wake', { at: new Date(until), payload: { threadId: thread.id, until }, key: `wake-${thread.id}-${until}` });
  return { ...thread, ...updated };
}

/** A snooze ran out: the conversation opens again, unless it changed since (then this wake is stale). */
export async function wake(ctx: PluginContext, threadId: string, until: number): Promise<void> {
  await ctx.database.table<ThreadRow>('threads').where({ id: threadId, status: 'snoozed', snoozed_until: until })
    .update({ status: 'open', snoozed_until: null, updated_at: Date.now() });
}

/** Assigns a conversation to one of the business's agents (or to nobody, with null). */
export async function assign(ctx: PluginContext, thread: ThreadRow, agentId: unknown): Promise<ThreadRow> {
  if (agentId !== null) {
    if (typeof agentId !== 'string') throw new BusinessError('invalid_business_request', 'agentId is a user id or null.');
    const agent = await ctx.database.table('agents').where({ business_id: thread.business_id, user_id: agentId }).first();
    if (!agent) throw new BusinessError('invalid_business_request', `${agentId} is not an agent of this business.`);
  }
  const updated = { assignee: agentId as string | null, updated_at: Date.now() };
  await ctx.database.table<ThreadRow>('threads').where({ id: thread.id }).update(updated);
  return { ...thread, ...updated };
}

interface NoteRow { id: number; thread_id: string; author_id: string; text: string; created_at: number; [c: string]: unknown }

/** Private notes: stored apart from the conversation, listed to the business's agents only. */
export async function addNote(ctx: PluginContext, thread: ThreadRow, authorId: string, text: unknown) {
  if (typeof text !== 'string' || text.length === 0 || text.length > 4000) throw new BusinessError('invalid_business_request', 'text is 1 to 4000 characters.');
  const [row] = await ctx.database.table<NoteRow>('notes').insert({ thread_id: thread.id, author_id: authorId, text, created_at: Date.now() } as NoteRow);
  return noteView(row!);
}

export async function notes(ctx: PluginContext, thread: ThreadRow) {
  return (await ctx.database.table<NoteRow>('notes').where({ thread_id: thread.id }).orderBy('id').all()).map(noteView);
}

const noteView = (n: NoteRow) => ({ noteId: n.id, authorId: n.author_id, text: n.text, createdAt: new Date(n.created_at).toISOString() });

/** A customer wrote: the messaging window restarts, and a resolved, pending or snoozed thread opens again. */
export async function customerWrote(ctx: PluginContext, conversationId: string, senderId: string, at: number): Promise<void> {
  const thread = await ctx.database.table<ThreadRow>('threads').where({ conversation_id: conversationId }).first();
  if (!thread || thread.customer_id !== senderId) return;
  await ctx.database.table<ThreadRow>('threads').where({ id: thread.id }).update({ last_customer_at: at, status: 'open', snoozed_until: null, updated_at: at });
}

/**
 * A message from the business (its backend or an agent). Within 24 hours of the customer's last
 * message anything may go out; after that only a tagged transactional update.
 */
export async function sendFromBusiness(ctx: PluginContext, thread: ThreadRow, body: Record<string, unknown>) {
  if (typeof body.text !== 'string' || body.text.length === 0 || body.text.length > 4000) throw new BusinessError('invalid_business_request', 'text is 1 to 4000 characters.');
  const tag = body.tag;
  if (tag !== undefined && !WINDOW_TAGS.includes(tag as (typeof WINDOW_TAGS)[number])) {
    throw new BusinessError('invalid_business_request', `tag is one of ${WINDOW_TAGS.join(', ')}.`);
  }
  const now = Date.now();
  const inWindow = thread.last_customer_at !== null && now - thread.last_customer_at <= MESSAGING_WINDOW_MS;
  if (!inWindow && tag === undefined) {
    throw new BusinessError('outside_messaging_window', undefined, { lastCustomerMessageAt: thread.last_customer_at === null ? null : new Date(thread.last_customer_at).toISOString() });
  }
  const clientMsgId = typeof body.clientMsgId === 'string' ? body.clientMsgId.slice(0, 64) : undefined;
  return ctx.messages.send(thread.conversation_id, { type: 'text', text: body.text }, clientMsgId ? { clientMsgId } : {});
}

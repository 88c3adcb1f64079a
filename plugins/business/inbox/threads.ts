import type { PluginContext } from '../../../sdk/index.js';
import { BusinessError } from '../business-error.js';
import type { BusinessApp } from '../business-app.js';
import type { BusinessRow } from '../businesses/businesses.js';
import { tellAgents } from '../events.js';
import { isId } from '../http-handling.js';

export type ThreadStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export interface ThreadRow {
  id: string;
  business_id: string;
  customer_id: string;
  conversation_id: string;
  status: ThreadStatus;
  priority: string;
  assignee: string | null;
  last_customer_at: number | null;
  snoozed_until: number | null;
  created_at: number;
  updated_at: number;
  labels: string[] | null;
  control: 'bot' | 'agents';
  away_day: string | null;
  resolved_at: number | null;
  [c: string]: unknown;
}

export const STATUSES: readonly ThreadStatus[] = ['open', 'pending', 'snoozed', 'resolved'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
const LABEL = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const MAX_LABELS = 10;
const MAX_SNOOZE_MS = 30 * 24 * 60 * 60 * 1000;

export const threadView = (t: ThreadRow) => ({
  threadId: t.id,
  businessId: t.business_id,
  customerId: t.customer_id,
  conversationId: t.conversation_id,
  status: t.status,
  priority: t.priority,
  labels: t.labels ?? [],
  assignee: t.assignee,
  control: t.control,
  snoozedUntil: t.snoozed_until === null ? null : new Date(t.snoozed_until).toISOString(),
  lastCustomerMessageAt: t.last_customer_at === null ? null : new Date(t.last_customer_at).toISOString(),
  createdAt: new Date(t.created_at).toISOString(),
});

/**
 * A customer opens a conversation with a business: one per customer and business (asking again
 * returns it), a group of the customer and the business bot, titled with the business's name.
 * With a bot attached, the bot has control of a new conversation.
 */
export async function startThread(
  app: BusinessApp,
  businessId: string,
  customerId: string,
): Promise<{ thread: ThreadRow; created: boolean }> {
  const { ctx } = app;
  const b: BusinessRow = await app.businesses.get(businessId);
  const existing = await ctx.database
    .table<ThreadRow>('threads')
    .where({ business_id: b.id, customer_id: customerId })
    .first();
  if (existing) return { thread: existing, created: false };
  const conversation = await ctx.conversations.createGroup(b.name.slice(0, 100), [customerId]);
  const now = Date.now();
  const row: ThreadRow = {
    id: await ctx.crypto.randomId(),
    business_id: b.id,
    customer_id: customerId,
    conversation_id: conversation.id,
    status: 'open',
    priority: 'normal',
    assignee: null,
    last_customer_at: null,
    snoozed_until: null,
    created_at: now,
    updated_at: now,
    labels: [],
    control: b.bot_user_id ? 'bot' : 'agents',
    away_day: null,
    resolved_at: null,
  };
  const inserted = await ctx.database
    .table<ThreadRow>('threads')
    .insert(row, { onConflictIgnore: ['business_id', 'customer_id'] });
  if (inserted.length === 0) {
    // Another request made the thread first: leave the spare conversation, so it does not linger.
    // Leaving is tidying up: the customer gets the thread either way, so a failure here is not theirs.
    await ctx.conversations.removeMember(conversation.id, customerId).catch(() => undefined);
    return {
      thread: (await ctx.database
        .table<ThreadRow>('threads')
        .where({ business_id: b.id, customer_id: customerId })
        .first())!,
      created: false,
    };
  }
  return { thread: row, created: true };
}

export async function threadOf(ctx: PluginContext, threadId: unknown, businessId?: string): Promise<ThreadRow> {
  const row = isId(threadId) ? await ctx.database.table<ThreadRow>('threads').where({ id: threadId }).first() : null;
  if (!row || (businessId !== undefined && row.business_id !== businessId)) throw new BusinessError('thread_not_found');
  return row;
}

/**
 * The inbox: the business's conversations, newest activity first, filtered by status, priority,
 * assignee ("none" for unassigned) and label. Labels are filtered after the read (they are a
 * JSON list), so a label filter looks at the newest 1,000 conversations.
 */
export async function inbox(ctx: PluginContext, businessId: string, filter: Readonly<Record<string, string>>) {
  const q = ctx.database.table<ThreadRow>('threads').where({ business_id: businessId });
  const { status, priority, assignee, label } = filter;
  if (status !== undefined) {
    if (!STATUSES.includes(status as ThreadStatus))
      throw new BusinessError('invalid_business_request', `status is one of ${STATUSES.join(', ')}.`);
    q.where({ status: status as ThreadStatus });
  }
  if (priority !== undefined) q.where({ priority: checkPriority(priority) });
  if (assignee === 'none') q.whereNull('assignee');
  else if (assignee !== undefined) q.where({ assignee });
  const rows = await q
    .orderBy('updated_at', 'desc')
    .limit(label === undefined ? 200 : 1000)
    .all();
  return (label === undefined ? rows : rows.filter((t) => (t.labels ?? []).includes(label)).slice(0, 200)).map(
    threadView,
  );
}

function checkPriority(value: unknown): (typeof PRIORITIES)[number] {
  if (!PRIORITIES.includes(value as (typeof PRIORITIES)[number]))
    throw new BusinessError('invalid_business_request', `priority is one of ${PRIORITIES.join(', ')}.`);
  return value as (typeof PRIORITIES)[number];
}

/** Sets a conversation's priority and/or labels (the whole list, lower-case words). */
export async function triage(ctx: PluginContext, thread: ThreadRow, body: Record<string, unknown>): Promise<ThreadRow> {
  const patch: Partial<ThreadRow> = { updated_at: Date.now() };
  if (body.priority !== undefined) patch.priority = checkPriority(body.priority);
  if (body.labels !== undefined) {
    const labels = body.labels;
    if (
      !Array.isArray(labels) ||
      labels.length > MAX_LABELS ||
      !labels.every((l) => typeof l === 'string' && LABEL.test(l))
    ) {
      throw new BusinessError(
        'invalid_business_request',
        `labels is a list of at most ${MAX_LABELS} labels of 1-32 characters (a-z, 0-9, _ and -).`,
      );
    }
    patch.labels = [...new Set(labels as string[])];
  }
  await ctx.database.table<ThreadRow>('threads').where({ id: thread.id }).update(patch);
  return { ...thread, ...patch };
}

/**
 * Changes a conversation's status. `snoozed` takes `snoozedUntil` (an ISO time, at most 30 days
 * ahead) or none: it wakes (opens) at that time, or at the customer's next message if sooner.
 */
export async function setStatus(
  ctx: PluginContext,
  thread: ThreadRow,
  status: unknown,
  snoozedUntil?: unknown,
): Promise<ThreadRow> {
  if (!STATUSES.includes(status as ThreadStatus))
    throw new BusinessError('invalid_business_request', `status is one of ${STATUSES.join(', ')}.`);
  let until: number | null = null;
  if (status === 'snoozed' && snoozedUntil !== undefined && snoozedUntil !== null) {
    until = typeof snoozedUntil === 'string' ? Date.parse(snoozedUntil) : NaN;
    if (!Number.isFinite(until) || until <= Date.now() || until > Date.now() + MAX_SNOOZE_MS) {
      throw new BusinessError('invalid_business_request', 'snoozedUntil is an ISO time in the next 30 days.');
    }
  }
  const now = Date.now();
  const resolvedAt = status === 'resolved' ? (thread.status === 'resolved' ? thread.resolved_at : now) : null;
  const updated = { status: status as ThreadStatus, snoozed_until: until, updated_at: now, resolved_at: resolvedAt };
  await ctx.database.table<ThreadRow>('threads').where({ id: thread.id }).update(updated);
  if (until !== null)
    await ctx.scheduler.schedule('wake', {
      at: new Date(until),
      payload: { threadId: thread.id, until },
      key: `wake-${thread.id}-${until}`,
    });
  return { ...thread, ...updated };
}

/** A snooze ran out: the conversation opens again, unless it changed since (then this wake is stale). */
export async function wake(app: BusinessApp, threadId: string, until: number): Promise<void> {
  const woke = await app.ctx.database
    .table<ThreadRow>('threads')
    .where({ id: threadId, status: 'snoozed', snoozed_until: until })
    .update({ status: 'open', snoozed_until: null, updated_at: Date.now() });
  if (woke === 0) return;
  await tellAgents(app, (await threadOf(app.ctx, threadId)).business_id, 'snooze_ended', { threadId });
}

/** Assigns a conversation to one of the business's agents (or to nobody, with null). */
export async function assign(ctx: PluginContext, thread: ThreadRow, agentId: unknown): Promise<ThreadRow> {
  if (agentId !== null) {
    if (typeof agentId !== 'string')
      throw new BusinessError('invalid_business_request', 'agentId is a user id or null.');
    const agent = await ctx.database
      .table('agents')
      .where({ business_id: thread.business_id, user_id: agentId })
      .first();
    if (!agent) throw new BusinessError('invalid_business_request', `${agentId} is not an agent of this business.`);
  }
  const updated = { assignee: agentId, updated_at: Date.now() };
  await ctx.database.table<ThreadRow>('threads').where({ id: thread.id }).update(updated);
  return { ...thread, ...updated };
}

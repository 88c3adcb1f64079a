import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import { emitEvent } from '../events.js';
import { messagingWindow } from '../outgoing/messaging-window.js';
import type { ThreadRow } from './threads.js';

interface CsatRow {
  thread_id: string;
  resolved_at: number;
  business_id: string;
  assignee: string | null;
  rating: number | null;
  comment: string | null;
  created_at: number;
  [c: string]: unknown;
}

export const CSAT_QUESTION = 'How did we do? Rate this conversation from 1 (bad) to 5 (great).';

/**
 * After a conversation is resolved the customer gets a survey: a "business.csat" message with
 * buttons 1 to 5 (ids "csat:1" … "csat:5"). One answer counts per resolution. The survey is a
 * business message, so it goes out only within the 24-hour window.
 */
export async function askForRating(app: BusinessApp, thread: ThreadRow): Promise<void> {
  if (thread.resolved_at === null) return;
  const { ctx } = app;
  const row: CsatRow = {
    thread_id: thread.id,
    resolved_at: thread.resolved_at,
    business_id: thread.business_id,
    assignee: thread.assignee,
    rating: null,
    comment: null,
    created_at: Date.now(),
  };
  if (
    (await ctx.database.table<CsatRow>('csat').insert(row, { onConflictIgnore: ['thread_id', 'resolved_at'] }))
      .length === 0
  )
    return;
  if (!(await messagingWindow(app, thread)).open) return;
  const buttons = [1, 2, 3, 4, 5].map((n) => ({ id: `csat:${n}`, label: String(n) }));
  await ctx.messages.send(
    thread.conversation_id,
    { type: 'business.csat', body: { text: CSAT_QUESTION, buttons } },
    { clientMsgId: `csat-${thread.id}-${thread.resolved_at}` },
  );
}

/** The customer's answer to the latest survey of the conversation. */
export async function rate(app: BusinessApp, thread: ThreadRow, rating: unknown, comment?: unknown) {
  if (!Number.isInteger(rating) || (rating as number) < 1 || (rating as number) > 5)
    throw new BusinessError('invalid_business_request', 'rating is a whole number from 1 to 5.');
  if (comment !== undefined && comment !== null && (typeof comment !== 'string' || comment.length > 1000))
    throw new BusinessError('invalid_business_request', 'comment is at most 1000 characters.');
  const { ctx } = app;
  const survey = await ctx.database
    .table<CsatRow>('csat')
    .where({ thread_id: thread.id })
    .orderBy('resolved_at', 'desc')
    .first();
  if (!survey) throw new BusinessError('csat_not_open', 'This conversation has no survey waiting.');
  const answered = await ctx.database
    .table<CsatRow>('csat')
    .where({ thread_id: thread.id, resolved_at: survey.resolved_at })
    .whereNull('rating')
    .update({ rating: rating as number, comment: typeof comment === 'string' ? comment : null });
  if (answered === 0) throw new BusinessError('csat_not_open', 'This survey is answered already.');
  await emitEvent(app, thread.business_id, 'csat', {
    threadId: thread.id,
    customerId: thread.customer_id,
    rating,
    assignee: survey.assignee,
    ...(typeof comment === 'string' ? { comment } : {}),
  });
  return { rating: rating as number };
}

/** The business's ratings: how many, the average, the spread, and per agent. */
export async function csatReport(app: BusinessApp, businessId: string) {
  const rows = await app.ctx.database
    .table<CsatRow>('csat')
    .where({ business_id: businessId })
    .whereNotNull('rating')
    .orderBy('created_at', 'desc')
    .limit(10_000)
    .all();
  const average = (list: CsatRow[]) =>
    list.length === 0 ? null : Math.round((list.reduce((s, r) => s + r.rating!, 0) / list.length) * 100) / 100;
  const byAgent = Map.groupBy(
    rows.filter((r) => r.assignee !== null),
    (r) => r.assignee!,
  );
  return {
    responses: rows.length,
    average: average(rows),
    distribution: Object.fromEntries([1, 2, 3, 4, 5].map((n) => [n, rows.filter((r) => r.rating === n).length])),
    agents: [...byAgent].map(([agentId, list]) => ({ agentId, responses: list.length, average: average(list) })),
  };
}

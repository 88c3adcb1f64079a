import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import { configOf } from '../businesses/businesses.js';
import { emitEvent } from '../events.js';
import type { ThreadRow } from './threads.js';

export type Control = 'bot' | 'agents';
export type HandoverAction = 'pass' | 'take' | 'request';
/** Who acted: "bot", "customer", or an agent's user id. */
export type Actor = string;

const REASON_MAX = 200;

function checkReason(reason: unknown): string | null {
  if (reason === undefined || reason === null) return null;
  if (typeof reason !== 'string' || reason.length > REASON_MAX)
    throw new BusinessError('invalid_business_request', `reason is at most ${REASON_MAX} characters.`);
  return reason;
}

/**
 * The handover protocol: thread control moves between the business's bot and its agents. The
 * side that has it may pass it; the other side may take it, or request it (the owner decides).
 * Each step is told to both sides: a "business.handover" notice in the conversation (which the
 * customer's app shows as "you are talking to a person"), a `handover` event to the bot and the
 * webhook. Going to the agents opens the conversation and, with round-robin routing, assigns it.
 */
export async function changeControl(
  app: BusinessApp,
  thread: ThreadRow,
  action: 'pass' | 'take',
  to: Control,
  by: Actor,
  reason?: unknown,
): Promise<ThreadRow> {
  const why = checkReason(reason);
  const b = await app.businesses.recent(thread.business_id);
  if (to === 'bot' && b.bot_plugin_id === null) throw new BusinessError('no_bot_attached');
  if (thread.control === to) return thread;
  const from = thread.control;
  const now = Date.now();
  const patch: Partial<ThreadRow> = {
    control: to,
    updated_at: now,
    ...(to === 'agents' && thread.status !== 'open' ? { status: 'open', snoozed_until: null } : {}),
  };
  const changed = await app.ctx.database
    .table<ThreadRow>('threads')
    .where({ id: thread.id, control: from })
    .update(patch);
  if (changed === 0) return (await app.ctx.database.table<ThreadRow>('threads').where({ id: thread.id }).first())!;
  let next: ThreadRow = { ...thread, ...patch };
  await announce(app, next, { action, from, to, by, reason: why });
  const routing = configOf(b).routing;
  if (to === 'agents' && next.assignee === null && routing.mode === 'round_robin') {
    const assignee = await app.roundRobin.assign(next, routing.team);
    if (assignee !== null) {
      next = { ...next, assignee };
      await emitEvent(app, next.business_id, 'assigned', { threadId: next.id, assignee, by: 'round_robin' });
    }
  }
  return next;
}

/** The side without control asks for it; nothing changes until the owner passes it. */
export async function requestControl(
  app: BusinessApp,
  thread: ThreadRow,
  by: Actor,
  requester: Control,
  reason?: unknown,
): Promise<ThreadRow> {
  const why = checkReason(reason);
  if (thread.control === requester)
    throw new BusinessError(
      'invalid_business_request',
      `The ${requester === 'bot' ? 'bot' : 'agents'} already have this conversation.`,
    );
  if (requester === 'bot' && (await app.businesses.recent(thread.business_id)).bot_plugin_id === null)
    throw new BusinessError('no_bot_attached');
  await announce(app, thread, { action: 'request', from: thread.control, to: requester, by, reason: why });
  return thread;
}

async function announce(
  app: BusinessApp,
  thread: ThreadRow,
  step: { action: HandoverAction; from: Control; to: Control; by: Actor; reason: string | null },
): Promise<void> {
  const body = {
    action: step.action,
    from: step.from,
    to: step.to,
    by: step.by,
    ...(step.reason !== null ? { reason: step.reason } : {}),
  };
  try {
    await app.ctx.messages.send(thread.conversation_id, { type: 'business.handover', body });
  } catch (err) {
    app.ctx.log.warn('could not post the handover notice', {
      threadId: thread.id,
      error: String((err as Error)?.message ?? err),
    });
  }
  await emitEvent(app, thread.business_id, 'handover', {
    threadId: thread.id,
    customerId: thread.customer_id,
    ...body,
  });
}

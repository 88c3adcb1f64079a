import type { PluginHttpRequest } from '../../../sdk/index.js';
import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import { agentOf } from '../businesses/agents.js';
import { askForRating, rate } from './csat.js';
import { emitEvent } from '../events.js';
import { changeControl, requestControl } from './handover.js';
import { bodyOf, isId, me, type RouteHandler } from '../http-handling.js';
import { grantOptin } from '../outgoing/optins.js';
import { sendFromBusiness } from '../outgoing/send-from-business.js';
import { tapMenu } from './postbacks.js';
import { addNote, notes } from './notes.js';
import { assign, inbox, setStatus, startThread, threadOf, threadView, triage, type ThreadRow } from './threads.js';

const START_SOURCES = ['profile', 'link', 'receipt'] as const;
const MAX_FRESH = 10_000;

/** Customers' and agents' routes on conversations (docs/business.md). */
export function registerThreadRoutes(app: BusinessApp): void {
  const { ctx } = app;
  const route = (method: string, path: string, run: RouteHandler) => ctx.http.route(method, path, run);
  /** The thread, if the caller is one of its business's agents; to anyone else it does not exist. */
  const asAgent = async (r: PluginHttpRequest): Promise<ThreadRow> => {
    const thread = await threadOf(ctx, r.params.id);
    await agentOf(ctx, thread.business_id, me(r)).catch((err: unknown) => {
      throw err instanceof BusinessError && err.code === 'not_an_agent' ? new BusinessError('thread_not_found') : err;
    });
    return thread;
  };
  const asCustomer = async (r: PluginHttpRequest): Promise<ThreadRow> => {
    const thread = await threadOf(ctx, r.params.id);
    if (thread.customer_id !== me(r)) throw new BusinessError('thread_not_found');
    return thread;
  };

  // ---- customers
  route('POST', '/businesses/:id/conversations', async (r) => {
    const body = r.body === null ? {} : bodyOf(r);
    const source = body.source ?? 'profile';
    if (!START_SOURCES.includes(source as (typeof START_SOURCES)[number]))
      throw new BusinessError('invalid_business_request', `source is one of ${START_SOURCES.join(', ')}.`);
    if (body.ref !== undefined && (typeof body.ref !== 'string' || body.ref.length > 200))
      throw new BusinessError('invalid_business_request', 'ref is at most 200 characters.');
    const { thread, created } = await startThread(app, r.params.id!, me(r));
    if (created && app.freshThreads.size < MAX_FRESH) app.freshThreads.set(thread.conversation_id, thread);
    // Asking again for the same conversation is no news (and must not be a way to flood the business).
    if (created)
      await emitEvent(app, thread.business_id, 'conversation_started', {
        threadId: thread.id,
        customerId: thread.customer_id,
        conversationId: thread.conversation_id,
        source,
        ref: body.ref ?? null,
      });
    return { status: created ? 201 : 200, body: threadView(thread) };
  });
  // A customer's other device, or a conversation opened from the list, finds its business here.
  route('GET', '/conversations/:id/thread', async (r) => {
    const row = isId(r.params.id)
      ? await ctx.database.table<ThreadRow>('threads').where({ conversation_id: r.params.id }).first()
      : undefined;
    if (!row || row.customer_id !== me(r)) throw new BusinessError('thread_not_found');
    return { body: { threadId: row.id, businessId: row.business_id, conversationId: row.conversation_id } };
  });
  route('POST', '/threads/:id/menu', async (r) => ({
    body: await tapMenu(app, await asCustomer(r), bodyOf(r).itemId),
  }));
  route('POST', '/threads/:id/human', async (r) => {
    const thread = await changeControl(
      app,
      await asCustomer(r),
      'pass',
      'agents',
      'customer',
      r.body === null ? 'The customer asked for a person.' : bodyOf(r).reason,
    );
    return { body: { control: thread.control } };
  });
  route('POST', '/threads/:id/csat', async (r) => {
    const body = bodyOf(r);
    return { body: await rate(app, await asCustomer(r), body.rating, body.comment) };
  });
  route('POST', '/threads/:id/optins', async (r) => ({
    status: 201,
    body: await grantOptin(app, await asCustomer(r), bodyOf(r).topic),
  }));

  // ---- agents
  route('GET', '/businesses/:id/inbox', async (r) => {
    const b = await app.businesses.get(r.params.id);
    await agentOf(ctx, b.id, me(r));
    return { body: { threads: await inbox(ctx, b.id, r.query) } };
  });
  route('GET', '/threads/:id', async (r) => ({ body: threadView(await asAgent(r)) }));
  route('POST', '/threads/:id/status', async (r) => {
    const thread = await asAgent(r);
    const body = bodyOf(r);
    const next = await setStatus(ctx, thread, body.status, body.snoozedUntil);
    if (next.status !== thread.status)
      await emitEvent(app, next.business_id, 'status', { threadId: next.id, status: next.status, by: me(r) });
    if (next.status === 'resolved' && thread.status !== 'resolved') await askForRating(app, next);
    return { body: threadView(next) };
  });
  route('POST', '/threads/:id/assignee', async (r) => {
    const next = await assign(ctx, await asAgent(r), bodyOf(r).agentId ?? null);
    await emitEvent(app, next.business_id, 'assigned', { threadId: next.id, assignee: next.assignee, by: me(r) });
    return { body: threadView(next) };
  });
  route('POST', '/threads/:id/triage', async (r) => ({
    body: threadView(await triage(ctx, await asAgent(r), bodyOf(r))),
  }));
  route('POST', '/threads/:id/control', async (r) => {
    const thread = await asAgent(r);
    const { action, reason } = bodyOf(r);
    if (action === 'take')
      return { body: threadView(await changeControl(app, thread, 'take', 'agents', me(r), reason)) };
    if (action === 'pass') {
      if (thread.control !== 'agents')
        throw new BusinessError('not_thread_owner', 'The bot has this conversation; take it first.');
      return { body: threadView(await changeControl(app, thread, 'pass', 'bot', me(r), reason)) };
    }
    if (action === 'request') return { body: threadView(await requestControl(app, thread, me(r), 'agents', reason)) };
    throw new BusinessError('invalid_business_request', 'action is take, pass or request.');
  });
  route('POST', '/threads/:id/notes', async (r) => ({
    status: 201,
    body: await addNote(ctx, await asAgent(r), me(r), bodyOf(r).text),
  }));
  route('GET', '/threads/:id/notes', async (r) => ({ body: { notes: await notes(ctx, await asAgent(r)) } }));
  // Agents are not members of the conversation: they read it here, as the business bot does.
  route('GET', '/threads/:id/messages', async (r) => {
    const thread = await asAgent(r);
    const query: { before?: number; after?: number; limit?: number } = {};
    for (const key of ['before', 'after', 'limit'] as const) {
      if (r.query[key] === undefined) continue;
      const n = Number(r.query[key]);
      if (!Number.isSafeInteger(n) || n < 0)
        throw new BusinessError('invalid_business_request', `${key} is a whole number.`);
      query[key] = n;
    }
    return { body: await ctx.messages.history(thread.conversation_id, query) };
  });
  route('POST', '/threads/:id/messages', async (r) => ({
    status: 201,
    body: await sendFromBusiness(app, await asAgent(r), bodyOf(r), { kind: 'agent', userId: me(r) }),
  }));
}

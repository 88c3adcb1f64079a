import type { PluginContext, PluginHttpRequest, PluginHttpResponse } from '../../sdk/index.js';
import { SwitchboardError } from '../../sdk/index.js';
import { businessOfKey, createKey, listKeys, revokeKey } from './api-keys.js';
import { BusinessError } from './business-error.js';
import { addAgent, agentOf, business, createBusiness, publicProfile } from './businesses.js';
import { addNote, assign, inbox, notes, sendFromBusiness, setStatus, startThread, threadOf, threadView } from './threads.js';

function handled(run: (request: PluginHttpRequest) => Promise<PluginHttpResponse>) {
  return async (request: PluginHttpRequest): Promise<PluginHttpResponse> => {
    try {
      return await run(request);
    } catch (err) {
      if (err instanceof BusinessError) return err.toResponse();
      // A host refusal the caller can act on (a conversation it may not post to, a bad message).
      if (err instanceof SwitchboardError && err.kind === 'user') return { status: err.status, body: { error: { code: err.code, message: err.message } } };
      throw err;
    }
  };
}

const bodyOf = (r: PluginHttpRequest): Record<string, unknown> => {
  if (r.body === null || typeof r.body !== 'object' || Array.isArray(r.body)) throw new BusinessError('invalid_business_request', 'The body must be a JSON object.');
  return r.body as Record<string, unknown>;
};

/** The HTTP API (docs/business.md): operators, agents with their token, customers, and business backends with an API key. */
export function registerRoutes(ctx: PluginContext): void {
  const me = (r: PluginHttpRequest) => r.user!.id;

  ctx.http.route('POST', '/admin/businesses', handled(async (r) => ({ status: 201, body: publicProfile(await createBusiness(ctx, bodyOf(r))) })));
  ctx.http.route('POST', '/admin/businesses/:id/verified', handled(async (r) => {
    const b = await business(ctx, r.params.id);
    const verified = bodyOf(r).verified === true;
    await ctx.database.table('businesses').where({ id: b.id }).update({ verified });
    return { body: publicProfile({ ...b, verified }) };
  }));

  ctx.http.route('GET', '/businesses/:id', handled(async (r) => ({ body: publicProfile(await business(ctx, r.params.id)) })));

  ctx.http.route('POST', '/businesses/:id/agents', handled(async (r) => {
    const b = await business(ctx, r.params.id);
    await agentOf(ctx, b.id, me(r), true);
    return { status: 201, body: await addAgent(ctx, b.id, bodyOf(r)) };
  }));

  ctx.http.route('POST', '/businesses/:id/api-keys', handled(async (r) => {
    const b = await business(ctx, r.params.id);
    await agentOf(ctx, b.id, me(r), true);
    return { status: 201, body: await createKey(ctx, b.id) };
  }));
  ctx.http.route('GET', '/businesses/:id/api-keys', handled(async (r) => {
    const b = await business(ctx, r.params.id);
    await agentOf(ctx, b.id, me(r), true);
    return { body: { keys: await listKeys(ctx, b.id) } };
  }));
  ctx.http.route('POST', '/businesses/:id/api-keys/:keyId/revoke', handled(async (r) => {
    const b = await business(ctx, r.params.id);
    await agentOf(ctx, b.id, me(r), true);
    return { body: { revoked: await revokeKey(ctx, b.id, r.params.keyId!) } };
  }));

  // A customer starts (or finds again) their conversation with the business.
  ctx.http.route('POST', '/businesses/:id/conversations', handled(async (r) => ({ status: 201, body: threadView(await startThread(ctx, r.params.id!, me(r))) })));

  ctx.http.route('GET', '/businesses/:id/inbox', handled(async (r) => {
    const b = await business(ctx, r.params.id);
    await agentOf(ctx, b.id, me(r));
    return { body: { threads: await inbox(ctx, b.id, r.query.status) } };
  }));

  ctx.http.route('POST', '/threads/:id/status', handled(async (r) => {
    const thread = await threadOf(ctx, r.params.id);
    await agentOf(ctx, thread.business_id, me(r)).catch(() => { throw new BusinessError('thread_not_found'); });
    const body = bodyOf(r);
    return { body: threadView(await setStatus(ctx, thread, body.status, body.snoozedUntil)) };
  }));

  ctx.http.route('POST', '/threads/:id/assignee', handled(async (r) => {
    const thread = await threadOf(ctx, r.params.id);
    await agentOf(ctx, thread.business_id, me(r)).catch(() => { throw new BusinessError('thread_not_found'); });
    return { body: threadView(await assign(ctx, thread, bodyOf(r).agentId ?? null)) };
  }));

  ctx.http.route('POST', '/threads/:id/notes', handled(async (r) => {
    const thread = await threadOf(ctx, r.params.id);
    await agentOf(ctx, thread.business_id, me(r)).catch(() => { throw new BusinessError('thread_not_found'); });
    return { status: 201, body: await addNote(ctx, thread, me(r), bodyOf(r).text) };
  }));

  ctx.http.route('GET', '/threads/:id/notes', handled(async (r) => {
    const thread = await threadOf(ctx, r.params.id);
    await agentOf(ctx, thread.business_id, me(r)).catch(() => { throw new BusinessError('thread_not_found'); });
    return { body: { notes: await notes(ctx, thread) } };
  }));

  ctx.http.route('POST', '/threads/:id/messages', handled(async (r) => {
    const thread = await threadOf(ctx, r.params.id);
    await agentOf(ctx, thread.business_id, me(r)).catch(() => { throw new BusinessError('thread_not_found'); });
    return { status: 201, body: await sendFromBusiness(ctx, thread, bodyOf(r)) };
  }));

  // The business's backend, with its API key.
  ctx.http.route('POST', '/api/messages', handled(async (r) => {
    const businessId = await businessOfKey(ctx, r.headers.authorization);
    const body = bodyOf(r);
    const thread = await threadOf(ctx, body.threadId, businessId);
    return { status: 201, body: await sendFromBusiness(ctx, thread, body) };
  }));
}

import type { PluginHttpRequest } from '../../sdk/index.js';
import type { BusinessApp } from './business-app.js';
import { businessOfKey, createKey, listKeys, revokeKey } from './businesses/api-keys.js';
import { BusinessError } from './business-error.js';
import { patchConfig } from './businesses/business-config.js';
import {
  addAgent,
  agentOf,
  agentView,
  businessesOfAgent,
  listAgents,
  removeAgent,
  setAvailable,
} from './businesses/agents.js';
import {
  adminView,
  configOf,
  createBusiness,
  operatorView,
  publicProfile,
  type BusinessRow,
} from './businesses/businesses.js';
import { attachBot } from './bots/bots.js';
import { createCanned, deleteCanned, listCanned } from './inbox/canned.js';
import { csatReport } from './inbox/csat.js';
import { bodyOf, me, type RouteHandler } from './http-handling.js';
import { sendInvoice } from './invoices/invoices.js';
import { sendFromBusiness } from './outgoing/send-from-business.js';
import { threadOf } from './inbox/threads.js';
import { deliveryView, type DeliveryRow, type DeliveryStatus } from './webhooks/webhook-delivery.js';

const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead'];

async function deliveries(app: BusinessApp, filter: { business_id?: string; status: unknown }) {
  if (!DELIVERY_STATUSES.includes(filter.status as DeliveryStatus))
    throw new BusinessError('invalid_business_request', `status is one of ${DELIVERY_STATUSES.join(', ')}.`);
  const q = app.ctx.database
    .table<DeliveryRow>('webhook_deliveries')
    .where({ status: filter.status as DeliveryStatus });
  if (filter.business_id !== undefined) q.where({ business_id: filter.business_id });
  return { deliveries: (await q.orderBy('created_at', 'desc').limit(200).all()).map(deliveryView) };
}

/** Operators, business admins and business backends (docs/business.md). Conversation routes are in inbox/thread-routes.ts. */
export function registerRoutes(app: BusinessApp): void {
  const { ctx } = app;
  const route = (method: string, path: string, run: RouteHandler) => ctx.http.route(method, path, run);
  /** The business of the route, if the caller is one of its admins (or, with `admin` false, agents). */
  const asAdmin = async (r: PluginHttpRequest, admin = true) => {
    const b = await app.businesses.get(r.params.id);
    await agentOf(ctx, b.id, me(r), admin);
    return b;
  };

  // ---- operators (admin token)
  route('POST', '/admin/businesses', async (r) => ({
    status: 201,
    body: adminView(await createBusiness(ctx, bodyOf(r))),
  }));
  route('GET', '/admin/businesses', async () => ({
    body: { businesses: (await app.businesses.newest(200)).map(operatorView) },
  }));
  route('POST', '/admin/businesses/:id/verified', async (r) => {
    const b = await app.businesses.get(r.params.id);
    return { body: publicProfile(await app.businesses.update(b, { verified: bodyOf(r).verified === true })) };
  });
  route('GET', '/admin/webhooks', async (r) => ({
    body: await deliveries(app, {
      status: r.query.status ?? 'dead',
      ...(r.query.businessId ? { business_id: r.query.businessId } : {}),
    }),
  }));
  route('POST', '/admin/webhooks/:deliveryId/replay', async (r) => {
    if (!(await app.webhooks.sender.replay(r.params.deliveryId!))) throw new BusinessError('delivery_not_found');
    return { body: { replayed: true } };
  });
  // Automatic assignments: from the customer's message reaching the plugin to the assignee stored (`since`: epoch ms).
  route('GET', '/admin/stats', (r) =>
    Promise.resolve({ body: { assignment: app.assignDurations.summary(Number(r.query.since ?? 0) || 0) } }),
  );

  // ---- the business and its settings
  // Only the caller's own businesses: there is no public directory of businesses.
  route('GET', '/businesses', async (r) => {
    if (r.query.mine !== '1') throw new BusinessError('invalid_business_request', 'Ask with mine=1.');
    return { body: { businesses: await businessesOfAgent(ctx, me(r)) } };
  });
  route('GET', '/businesses/:id', async (r) => ({ body: publicProfile(await app.businesses.get(r.params.id)) }));
  route('GET', '/businesses/:id/settings', async (r) => ({ body: adminView(await asAdmin(r, false)) }));
  route('PATCH', '/businesses/:id/settings', async (r) => {
    const b = await asAdmin(r);
    const patch = bodyOf(r);
    // Read and written under a row lock, so two admins saving at once both keep their change.
    await ctx.database.transaction(async (tx) => {
      const current = (await tx.table<BusinessRow>('businesses').where({ id: b.id }).forUpdate().first())!;
      await tx
        .table<BusinessRow>('businesses')
        .where({ id: b.id })
        .update({ config: patchConfig(configOf(current), patch) });
    });
    return { body: adminView(await app.businesses.get(b.id)) };
  });
  route('PUT', '/businesses/:id/bot', async (r) => {
    const body = bodyOf(r);
    if (!('pluginId' in body))
      throw new BusinessError('invalid_business_request', "pluginId is the bot plugin's id, or null to detach it.");
    return { body: adminView(await attachBot(app, await asAdmin(r), body.pluginId)) };
  });

  route('POST', '/businesses/:id/agents', async (r) => {
    const { agent, created } = await addAgent(app, (await asAdmin(r)).id, bodyOf(r));
    return { status: created ? 201 : 200, body: agentView(agent) };
  });
  route('DELETE', '/businesses/:id/agents/:userId', async (r) => ({
    body: { removed: await removeAgent(app, (await asAdmin(r)).id, r.params.userId!) },
  }));
  route('GET', '/businesses/:id/agents', async (r) => ({
    body: { agents: await listAgents(ctx, (await asAdmin(r, false)).id) },
  }));
  route('POST', '/businesses/:id/availability', async (r) => {
    const b = await app.businesses.get(r.params.id);
    return { body: agentView(await setAvailable(app, await agentOf(ctx, b.id, me(r)), bodyOf(r).available)) };
  });

  route('POST', '/businesses/:id/api-keys', async (r) => ({
    status: 201,
    body: await createKey(ctx, (await asAdmin(r)).id),
  }));
  route('GET', '/businesses/:id/api-keys', async (r) => ({
    body: { keys: await listKeys(ctx, (await asAdmin(r)).id) },
  }));
  route('POST', '/businesses/:id/api-keys/:keyId/revoke', async (r) => ({
    body: { revoked: await revokeKey(ctx, (await asAdmin(r)).id, r.params.keyId!) },
  }));

  route('PUT', '/businesses/:id/webhook', async (r) => ({
    body: await app.webhooks.configure(await asAdmin(r), bodyOf(r).url),
  }));
  route('DELETE', '/businesses/:id/webhook', async (r) => {
    await app.webhooks.remove(await asAdmin(r));
    return { body: { removed: true } };
  });
  route('GET', '/businesses/:id/webhook/deliveries', async (r) => ({
    body: await deliveries(app, { business_id: (await asAdmin(r)).id, status: r.query.status ?? 'dead' }),
  }));
  route('POST', '/businesses/:id/webhook/deliveries/:deliveryId/replay', async (r) => {
    if (!(await app.webhooks.sender.replay(r.params.deliveryId!, (await asAdmin(r)).id)))
      throw new BusinessError('delivery_not_found');
    return { body: { replayed: true } };
  });

  route('POST', '/businesses/:id/canned', async (r) => ({
    status: 201,
    body: await createCanned(ctx, (await asAdmin(r)).id, bodyOf(r)),
  }));
  route('GET', '/businesses/:id/canned', async (r) => ({
    body: { canned: await listCanned(ctx, (await asAdmin(r, false)).id) },
  }));
  route('DELETE', '/businesses/:id/canned/:shortcode', async (r) => ({
    body: { deleted: await deleteCanned(ctx, (await asAdmin(r)).id, r.params.shortcode!) },
  }));
  route('GET', '/businesses/:id/csat', async (r) => ({ body: await csatReport(app, (await asAdmin(r, false)).id) }));

  // ---- the business's backend (API key)
  const backendThread = async (r: PluginHttpRequest) => {
    const businessId = await businessOfKey(ctx, r.headers.authorization);
    const body = bodyOf(r);
    return { thread: await threadOf(ctx, body.threadId, businessId), body };
  };
  route('POST', '/api/messages', async (r) => {
    const { thread, body } = await backendThread(r);
    return { status: 201, body: await sendFromBusiness(app, thread, body, { kind: 'backend' }) };
  });
  route('POST', '/api/invoices', async (r) => {
    const { thread, body } = await backendThread(r);
    return { status: 201, body: await sendInvoice(app, thread, body) };
  });
}

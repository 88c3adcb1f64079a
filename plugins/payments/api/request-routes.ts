import type { PluginContext, PluginHttpRequest } from '../../../sdk/index.js';
import type { PaymentsState } from '../payments-state.js';
import { createUserRequest } from '../requests/create-request.js';
import { cancelRequest, declineRequest, payRequest } from '../requests/pay-request.js';
import { listRequests, visibleRequest } from '../requests/read-requests.js';
import { viewOf } from '../requests/request-records.js';
import { preCheckout } from '../requests/request-service.js';
import type { PaymentsSettings } from '../settings.js';
import { bodyOf } from './route-bodies.js';

/** The HTTP API of payment requests (docs/payments.md): a new request answers 201, a replay of its key 200. */
export function registerRequestRoutes(ctx: PluginContext<PaymentsSettings>, { pinKey }: PaymentsState): void {
  const me = (request: PluginHttpRequest) => request.user!.id;

  ctx.http.route('POST', '/requests', async (req) => {
    const { view, replayed } = await createUserRequest(ctx, me(req), bodyOf(req, 'POST /requests'));
    return { status: replayed ? 200 : 201, body: view };
  });
  ctx.http.route('GET', '/requests', async (req) => ({ body: await listRequests(ctx, me(req)) }));
  ctx.http.route('GET', '/requests/:id', async (req) => ({
    body: viewOf(await visibleRequest(ctx, req.params.id!, me(req))),
  }));
  ctx.http.route('POST', '/requests/:id/pay', async (req) => {
    const outcome = await payRequest(
      ctx,
      pinKey,
      me(req),
      req.params.id!,
      bodyOf(req, 'POST /requests/:id/pay'),
      (row) => preCheckout(ctx, row),
    );
    return { status: outcome.status, body: outcome.view };
  });
  ctx.http.route('POST', '/requests/:id/decline', async (req) => {
    bodyOf(req, 'POST /requests/:id/decline');
    return { body: await declineRequest(ctx, me(req), req.params.id!) };
  });
  ctx.http.route('POST', '/requests/:id/cancel', async (req) => {
    bodyOf(req, 'POST /requests/:id/cancel');
    return { body: await cancelRequest(ctx, me(req), req.params.id!) };
  });
}

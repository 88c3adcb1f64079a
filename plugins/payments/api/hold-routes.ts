import type { PluginContext } from '../../../sdk/index.js';
import { expireDueHolds, expireHold, registerHoldJobs } from '../holds/hold-expiry.js';
import { captureHold } from '../holds/capture-hold.js';
import { createHold } from '../holds/create-hold.js';
import { getHold } from '../holds/get-hold.js';
import { voidHold } from '../holds/void-hold.js';
import { bodyOf } from './route-bodies.js';
import { refundHold, refundTransfer, transferRefunds } from '../holds/refunds.js';
import type { PaymentsState } from '../payments-state.js';
import type { PaymentsSettings } from '../settings.js';

/**
 * The HTTP API of holds and refunds (docs/payments.md). A new object answers 201, a replay of
 * the same idempotency key and request 200 with the original result.
 */
export async function registerHolds(ctx: PluginContext<PaymentsSettings>, state: PaymentsState): Promise<void> {
  const me = (user: { id: string } | null) => user!.id;

  ctx.http.route('POST', '/holds', async (req) => {
    const { hold, replayed } = await state.metrics.hold(
      'authorize',
      createHold(ctx, state.pinKey, null, me(req.user), bodyOf(req, 'POST /holds')),
    );
    return { status: replayed ? 200 : 201, body: hold };
  });

  ctx.http.route('GET', '/holds/:id', async (req) => ({ body: await getHold(ctx, req.params.id!, me(req.user)) }));

  ctx.http.route('POST', '/holds/:id/capture', async (req) => {
    const { result, replayed } = await state.metrics.hold(
      'capture',
      captureHold(ctx, null, req.params.id!, me(req.user), bodyOf(req, 'POST /holds/:id/capture')),
    );
    return { status: replayed ? 200 : 201, body: result };
  });

  ctx.http.route('POST', '/holds/:id/void', async (req) => {
    const { hold } = await state.metrics.hold(
      'void',
      voidHold(ctx, null, req.params.id!, me(req.user), bodyOf(req, 'POST /holds/:id/void')),
    );
    return { status: 200, body: hold };
  });

  ctx.http.route('POST', '/holds/:id/refunds', async (req) => {
    const { result, replayed } = await state.metrics.hold(
      'refund',
      refundHold(ctx, null, req.params.id!, me(req.user), bodyOf(req, 'POST /holds/:id/refunds')),
    );
    return { status: replayed ? 200 : 201, body: result };
  });

  ctx.http.route('POST', '/transfers/:id/refunds', async (req) => {
    const { result, replayed } = await refundTransfer(
      ctx,
      null,
      req.params.id!,
      me(req.user),
      bodyOf(req, 'POST /transfers/:id/refunds'),
    );
    return { status: replayed ? 200 : 201, body: result };
  });

  ctx.http.route('GET', '/transfers/:id/refunds', async (req) => ({
    body: { refunds: await transferRefunds(ctx, req.params.id!, me(req.user)) },
  }));

  // Operators: expire one hold (if it is due) or every due hold now, as the jobs would.
  ctx.http.route('POST', '/admin/holds/expire', async (req) => {
    const { holdId } = bodyOf(req, 'POST /admin/holds/expire');
    if (typeof holdId === 'string') return { body: { checked: 1, ...(await expireHold(ctx, null, holdId)) } };
    return { body: await expireDueHolds(ctx) };
  });

  await registerHoldJobs(ctx);
}

import type { PluginContext } from '../../../sdk/index.js';
import { announceTransfer, transfer } from '../transfers/send-transfer.js';
import { listTransfers } from '../transfers/list-transfers.js';
import { book, operation, viewOf } from '../funding/operations.js';
import { payout } from '../funding/payouts.js';
import { topUp } from '../funding/top-ups.js';
import type { PaymentsState } from '../payments-state.js';
import { reconcile } from '../funding/reconcile.js';
import { bodyOf } from './route-bodies.js';
import { PaymentError } from '../payment-error.js';
import { setPin } from '../pins/set-pin.js';
import { SimulatedCardProvider } from '../providers/simulated-card-provider.js';
import { balancesReport, reconciliationReport, userBalances, volumeReport } from '../ledger/reports.js';
import type { PaymentsSettings } from '../settings.js';
import { verifyLedger } from '../ledger/verify-ledger.js';

/** The HTTP API (docs/payments.md): people with their token, operators with the admin token, the provider signed. */
export function registerRoutes(ctx: PluginContext<PaymentsSettings>, state: PaymentsState): void {
  const { provider } = state;
  const me = (user: { id: string } | null) => user!.id;

  ctx.http.route('POST', '/pin', async (req) => {
    const body = bodyOf(req, 'POST /pin');
    await setPin(ctx, state.pinKey, me(req.user), body.pin, body.currentPin);
    return { status: 204 };
  });

  ctx.http.route('GET', '/balance', async (req) => ({ body: { balances: await userBalances(ctx, me(req.user)) } }));

  ctx.http.route('POST', '/transfers', async (req) => {
    const { result, replayed } = await transfer(ctx, state, me(req.user), bodyOf(req, 'POST /transfers'));
    await announceTransfer(ctx, result);
    return { status: replayed ? 200 : 201, body: result };
  });

  ctx.http.route('GET', '/transfers', async (req) => ({ body: await listTransfers(ctx, me(req.user)) }));

  // A new operation answers 201; a replay of its key and request 200, with the operation as it is now.
  ctx.http.route('POST', '/topups', async (req) => {
    const { view, replayed } = await topUp(ctx, provider, me(req.user), bodyOf(req, 'POST /topups'));
    return { status: replayed ? 200 : 201, body: view };
  });

  ctx.http.route('POST', '/payouts', async (req) => {
    const { view, replayed } = await payout(ctx, state, me(req.user), bodyOf(req, 'POST /payouts'));
    return { status: replayed ? 200 : 201, body: view };
  });

  ctx.http.route('GET', '/operations/:id', async (req) => {
    const op = await operation(ctx, req.params.id!);
    if (op.user_id !== me(req.user)) throw new PaymentError('not_found', `No operation ${req.params.id}.`);
    return { body: viewOf(op) };
  });

  ctx.http.route('POST', '/provider/callbacks', async (req) => {
    const event = await provider.verifyCallback(req.rawBody, req.headers['x-provider-signature']);
    const fresh = await ctx.database
      .table('provider_events')
      .insert({ id: event.id, received_at: Date.now() }, { onConflictIgnore: ['id'] });
    if (fresh.length === 0) return { status: 200, body: { duplicate: true } };
    const view = await book(ctx, provider.name, event.key, {
      ref: event.ref,
      status: event.type === 'operation.succeeded' ? 'succeeded' : 'declined',
    });
    return { status: 200, body: { duplicate: false, operation: view } };
  });

  ctx.http.route('POST', '/admin/verify', async (req) => {
    bodyOf(req, 'POST /admin/verify');
    return { body: await verifyLedger(ctx) };
  });
  ctx.http.route('POST', '/admin/reconcile', async (req) => {
    const { olderThanMs = 60_000 } = bodyOf(req, 'POST /admin/reconcile');
    if (typeof olderThanMs !== 'number' || !Number.isSafeInteger(olderThanMs) || olderThanMs < 0)
      throw new PaymentError('invalid_payment_request', 'olderThanMs is a whole number of milliseconds, 0 or more.');
    return { body: await reconcile(ctx, provider, olderThanMs) };
  });
  ctx.http.route('POST', '/admin/simulator/callbacks', async (req) => {
    const body = bodyOf(req, 'POST /admin/simulator/callbacks');
    if (!(provider instanceof SimulatedCardProvider))
      throw new PaymentError('invalid_state', 'Only the simulated provider can be played.');
    const op = await operation(ctx, String(body.operationId));
    return {
      body: await provider.completeLater(
        { key: op.id, amountMinor: op.amount, currency: op.currency },
        body.status === 'declined' ? 'declined' : 'succeeded',
      ),
    };
  });
  ctx.http.route('GET', '/admin/reports/reconciliation', async () => ({
    body: await reconciliationReport(ctx, provider),
  }));
  ctx.http.route('GET', '/admin/reports/balances', async () => ({ body: await balancesReport(ctx) }));
  ctx.http.route('GET', '/admin/reports/volume', async (req) => ({
    body: await volumeReport(ctx, req.query.since ? Number(req.query.since) : 0),
  }));
}

import type { PluginContext } from '../../sdk/index.js';
import { announceTransfer, transfer } from './transfers.js';
import { bodyOf, handled } from './http-responses.js';
import { book, operation, payout, reconcile, topUp, viewOf } from './funding.js';
import { PaymentError } from './payment-error.js';
import { setPin } from './pins.js';
import type { CardProvider } from './providers/card-provider.js';
import { SimulatedCardProvider } from './providers/simulated-card-provider.js';
import { balancesReport, reconciliationReport, userBalances, volumeReport } from './reports.js';
import type { PaymentsSettings } from './settings.js';
import { verifyLedger } from './verify.js';

/** The HTTP API (docs/payments.md): people with their token, operators with the admin token, the provider signed. */
export function registerRoutes(ctx: PluginContext<PaymentsSettings>, provider: CardProvider): void {
  const me = (user: { id: string } | null) => user!.id;

  ctx.http.route('POST', '/pin', handled(async (req) => {
    const body = bodyOf(req);
    await setPin(ctx, me(req.user), body.pin, body.currentPin);
    return { status: 204 };
  }));

  ctx.http.route('GET', '/balance', handled(async (req) => ({ body: { balances: await userBalances(ctx, me(req.user)) } })));

  ctx.http.route('POST', '/transfers', handled(async (req) => {
    const { result, replayed } = await transfer(ctx, me(req.user), bodyOf(req));
    await announceTransfer(ctx, result);
    return { status: replayed ? 200 : 201, body: result };
  }));

  ctx.http.route('GET', '/transfers', handled(async (req) => {
    const id = me(req.user);
    const rows = await ctx.database.table('transfers').where({ from_user: id }).orderBy('created_at', 'desc').limit(100).all();
    const received = await ctx.database.table('transfers').where({ to_user: id }).orderBy('created_at', 'desc').limit(100).all();
    return { body: { sent: rows, received } };
  }));

  ctx.http.route('POST', '/topups', handled(async (req) => ({ status: 201, body: await topUp(ctx, provider, me(req.user), bodyOf(req)) })));

  ctx.http.route('POST', '/payouts', handled(async (req) => ({ status: 201, body: await payout(ctx, provider, me(req.user), bodyOf(req)) })));

  ctx.http.route('GET', '/operations/:id', handled(async (req) => {
    const op = await operation(ctx, req.params.id!);
    if (op.user_id !== me(req.user)) throw new PaymentError('not_found', `No operation ${req.params.id}.`);
    return { body: viewOf(op) };
  }));

  ctx.http.route('POST', '/provider/callbacks', handled(async (req) => {
    const event = await provider.verifyCallback(req.rawBody, req.headers['x-provider-signature']);
    const fresh = await ctx.database.table('provider_events').insert({ id: event.id, received_at: Date.now() }, { onConflictIgnore: ['id'] });
    if (fresh.length === 0) return { status: 200, body: { duplicate: true } };
    const view = await book(ctx, provider.name, event.key, { ref: event.ref, status: event.type === 'operation.succeeded' ? 'succeeded' : 'declined' });
    return { status: 200, body: { duplicate: false, operation: view } };
  }));

  ctx.http.route('POST', '/admin/verify', handled(async () => ({ body: await verifyLedger(ctx) })));
  ctx.http.route('POST', '/admin/reconcile', handled(async (req) => {
    const olderThanMs = (req.body as { olderThanMs?: unknown } | null)?.olderThanMs;
    return { body: await reconcile(ctx, provider, typeof olderThanMs === 'number' && olderThanMs >= 0 ? olderThanMs : 60_000) };
  }));
  ctx.http.route('POST', '/admin/simulator/callbacks', handled(async (req) => {
    const body = bodyOf(req);
    if (!(provider instanceof SimulatedCardProvider)) throw new PaymentError('invalid_state', 'Only the simulated provider can be played.');
    const op = await operation(ctx, String(body.operationId));
    return { body: await provider.completeLater({ key: op.id, amountMinor: op.amount, currency: op.currency }, body.status === 'declined' ? 'declined' : 'succeeded') };
  }));
  ctx.http.route('GET', '/admin/reports/reconciliation', handled(async () => ({ body: await reconciliationReport(ctx, provider) })));
  ctx.http.route('GET', '/admin/reports/balances', handled(async () => ({ body: await balancesReport(ctx) })));
  ctx.http.route('GET', '/admin/reports/volume', handled(async (req) => ({ body: await volumeReport(ctx, req.query.since ? Number(req.query.since) : 0) })));
}

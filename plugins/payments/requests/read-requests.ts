/**
 * Reading payment requests, and the expiry every read applies: an open request past its time
 * is shown (and stays) expired, whoever looks first, the sweeper included.
 */
import type { PluginContext } from '../../../sdk/index.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';
import { changed, lockRow, type RequestRow, type RequestView, setState, viewOf } from './request-records.js';

export async function loadRequest(ctx: PluginContext<PaymentsSettings>, id: string): Promise<RequestRow | null> {
  if (typeof id !== 'string' || id.length === 0 || id.length > 36) return null;
  return ctx.database.table<RequestRow>('requests').where({ id }).first();
}

/** A request the user takes part in (as payer or payee); anyone else gets not_found. */
export async function visibleRequest(
  ctx: PluginContext<PaymentsSettings>,
  id: string,
  userId: string,
): Promise<RequestRow> {
  const row = await loadRequest(ctx, id);
  if (!row || (row.payer_id !== userId && row.payee_id !== userId))
    throw new PaymentError('not_found', `No payment request ${id}.`);
  return expireIfDue(ctx, row);
}

export async function listRequests(
  ctx: PluginContext<PaymentsSettings>,
  userId: string,
): Promise<{ incoming: RequestView[]; outgoing: RequestView[] }> {
  const table = () => ctx.database.table<RequestRow>('requests');
  const incoming = await table().where({ payer_id: userId }).orderBy('created_at', 'desc').limit(100).all();
  const outgoing = await table().where({ payee_id: userId }).orderBy('created_at', 'desc').limit(100).all();
  return { incoming: incoming.map(viewOf), outgoing: outgoing.map(viewOf) };
}

/** An open request past its expiry becomes expired (on any read or action, and by the sweeper). */
export async function expireIfDue(ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<RequestRow> {
  if (row.status !== 'open' || row.expires_at > Date.now()) return row;
  const result = await ctx.database.transaction(async (tx) => {
    const current = await lockRow(tx, row.id);
    if (current.status !== 'open' || current.expires_at > Date.now()) return { row: current, changed: false };
    return {
      row: await setState(tx, current, { status: 'expired', reason: 'expired: nobody paid in time' }),
      changed: true,
    };
  });
  if (result.changed) await changed(ctx, result.row);
  return result.row;
}

/** A request stuck in processing (the host stopped during its pre-checkout) fails; nothing was charged. */
export async function failStale(
  ctx: PluginContext<PaymentsSettings>,
  row: RequestRow,
  olderThan: number,
): Promise<void> {
  const result = await ctx.database.transaction(async (tx) => {
    const current = await lockRow(tx, row.id);
    if (current.status !== 'processing' || current.updated_at > olderThan) return null;
    return setState(tx, current, {
      status: 'failed',
      reason: 'interrupted: the payment did not finish; nothing was charged',
    });
  });
  if (result) await changed(ctx, result);
}

/**
 * Paying and declining a payment request (the states and how an invoice is claimed are
 * described in create-request.ts).
 */
import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { userAccount } from '../ledger/accounts.js';
import { checkKey } from '../idempotency.js';
import { balanceOf, insufficientFunds, postTransaction } from '../ledger/post-transaction.js';
import { PaymentError } from '../payment-error.js';
import type { PinKey } from '../pins/pin-key.js';
import { verifyPin } from '../pins/verify-pin.js';
import { changed, lockRow, notOpen, type RequestRow, type RequestView, setState, viewOf } from './request-records.js';
import { visibleRequest } from './read-requests.js';
import { checkPerTransfer, dailyLimitRefusal, day, spendDaily } from '../limits.js';
import type { PaymentsSettings } from '../settings.js';

/** POST /requests/:id/decline, by the payer only. Declining twice answers the same. */
export async function declineRequest(
  ctx: PluginContext<PaymentsSettings>,
  userId: string,
  id: string,
): Promise<RequestView> {
  const row = await visibleRequest(ctx, id, userId);
  if (row.payer_id !== userId) throw new PaymentError('not_payer', 'Only the payer can decline a request.');
  const result = await ctx.database.transaction(async (tx) => {
    const current = await lockRow(tx, id);
    if (current.status === 'declined') return { row: current, changed: false };
    if (current.status !== 'open') throw notOpen(current);
    return { row: await setState(tx, current, { status: 'declined', reason: 'declined by the payer' }), changed: true };
  });
  if (result.changed) await changed(ctx, result.row);
  return viewOf(result.row);
}

/**
 * POST /requests/:id/cancel: the person who asked withdraws their open request (an invoice is
 * withdrawn by its plugin, not here). Cancelling twice answers the same.
 */
export async function cancelRequest(
  ctx: PluginContext<PaymentsSettings>,
  userId: string,
  id: string,
): Promise<RequestView> {
  const row = await visibleRequest(ctx, id, userId);
  if (row.payee_id !== userId || row.kind !== 'user')
    throw new PaymentError('not_permitted', 'Only the person who asked for the money can cancel the request.', {
      requestId: id,
    });
  const result = await ctx.database.transaction(async (tx) => {
    const current = await lockRow(tx, id);
    if (current.status === 'canceled') return { row: current, changed: false };
    if (current.status !== 'open') throw notOpen(current);
    return {
      row: await setState(tx, current, { status: 'canceled', reason: 'canceled by the requester' }),
      changed: true,
    };
  });
  if (result.changed) await changed(ctx, result.row);
  return viewOf(result.row);
}

/** Whether the payer could pay now (balance and daily limit), checked before asking the requester. */
async function precheckFunds(
  tx: DatabaseTransaction,
  ctx: PluginContext<PaymentsSettings>,
  row: RequestRow,
): Promise<void> {
  checkPerTransfer(ctx, row.amount);
  const balance = await balanceOf(tx, userAccount(row.payer_id, row.currency));
  if (balance < row.amount) throw insufficientFunds(balance, row.amount, row.currency);
  const usage = await tx
    .table<{ amount: number; [c: string]: unknown }>('daily_usage')
    .where({ user_id: row.payer_id, day: day(Date.now()), currency: row.currency })
    .first();
  const refusal = dailyLimitRefusal(ctx.settings.limits, row.currency, usage?.amount ?? 0, row.amount);
  if (refusal) throw refusal;
}

/** Moves the money and marks the request paid, in the caller's transaction (the row is locked). */
async function charge(
  tx: DatabaseTransaction,
  ctx: PluginContext<PaymentsSettings>,
  row: RequestRow,
  key: string,
): Promise<RequestRow> {
  checkPerTransfer(ctx, row.amount);
  await spendDaily(tx, ctx, row.payer_id, row.currency, row.amount);
  const posted = await postTransaction(tx, ctx.crypto, {
    kind: 'request',
    ref: row.id,
    meta: { requestKind: row.kind, plugin: row.plugin_id },
    postings: [
      { account: userAccount(row.payer_id, row.currency), currency: row.currency, amount: -row.amount },
      { account: userAccount(row.payee_id, row.currency), currency: row.currency, amount: row.amount },
    ],
  });
  return setState(tx, row, {
    status: 'paid',
    reason: null,
    pay_key: key,
    tx_id: posted.txId,
    paid_at: posted.createdAt,
  });
}

/** What the payer's confirmation led to. */
export interface PayOutcome {
  status: 200 | 202;
  view: RequestView;
}

/** The answer to a confirmation that was already handled under the same key. */
function replayed(row: RequestRow): PayOutcome {
  if (row.status === 'paid') return { status: 200, view: viewOf(row) };
  if (row.status === 'processing') return { status: 202, view: viewOf(row) };
  throw failedError(row);
}

function failedError(row: RequestRow): PaymentError {
  if (row.status !== 'failed' || !row.reason?.startsWith('precheckout_')) return notOpen(row);
  return new PaymentError(
    'precheckout_failed',
    `The requester did not confirm the payment, so nothing was charged (${row.reason}).`,
    { requestId: row.id, status: row.status, reason: row.reason },
  );
}

/** The requester's answer to the pre-checkout (payments-side view; see request-service.ts). */
export type PreCheckoutVerdict = { ok: true } | { ok: false; reason: string };

/**
 * POST /requests/:id/pay, by the payer with their PIN and an idempotency key. A person's request
 * is paid in one transaction. An invoice is claimed (open → processing), then the requester's
 * pre-checkout decides, then it is charged (processing → paid) or failed; the same key replays
 * the outcome, another key finds the request no longer open.
 */
export async function payRequest(
  ctx: PluginContext<PaymentsSettings>,
  pinKey: PinKey,
  userId: string,
  id: string,
  body: Record<string, unknown>,
  preCheckout: (row: RequestRow) => Promise<PreCheckoutVerdict>,
): Promise<PayOutcome> {
  let row = await visibleRequest(ctx, id, userId);
  if (row.payer_id !== userId) throw new PaymentError('not_payer', 'Only the payer can pay a request.');
  const key = checkKey(body.idempotencyKey);
  if (row.pay_key === key) return replayed(row);
  if (row.status !== 'open') throw notOpen(row);
  await verifyPin(ctx, pinKey, userId, body.pin);

  type Step = { kind: 'replay' | 'expired' | 'claimed' | 'paid'; row: RequestRow };
  const step = await ctx.database.transaction(async (tx): Promise<Step> => {
    const current = await lockRow(tx, id);
    if (current.pay_key === key) return { kind: 'replay', row: current };
    if (current.status !== 'open') throw notOpen(current);
    if (current.expires_at <= Date.now())
      return {
        kind: 'expired',
        row: await setState(tx, current, { status: 'expired', reason: 'expired: nobody paid in time' }),
      };
    if (current.kind === 'user') return { kind: 'paid', row: await charge(tx, ctx, current, key) };
    await precheckFunds(tx, ctx, current);
    return { kind: 'claimed', row: await setState(tx, current, { status: 'processing', pay_key: key }) };
  });
  if (step.kind === 'replay') return replayed(step.row);
  if (step.kind === 'expired') {
    await changed(ctx, step.row);
    throw notOpen(step.row);
  }
  if (step.kind === 'paid') {
    await changed(ctx, step.row);
    return { status: 200, view: viewOf(step.row) };
  }

  // An invoice: ask the requester, outside any transaction, then settle.
  row = step.row;
  const verdict = await preCheckout(row);
  let failure: { reason: string; error: PaymentError | null } | null = verdict.ok
    ? null
    : { reason: verdict.reason, error: null };
  let settled: RequestRow | null = null;
  if (verdict.ok) {
    try {
      settled = await ctx.database.transaction(async (tx) => {
        const current = await lockRow(tx, id);
        // Only the confirmation that claimed it may charge it (a sweeper may have failed it meanwhile).
        if (current.status !== 'processing' || current.pay_key !== key) return null;
        return charge(tx, ctx, current, key);
      });
    } catch (err) {
      if (!(err instanceof PaymentError)) throw err; // left processing: the sweeper fails it, nothing was charged
      failure = { reason: `${err.code}: ${err.message}`.slice(0, 200), error: err };
    }
  }
  if (!settled) {
    settled = await ctx.database.transaction(async (tx) => {
      const current = await lockRow(tx, id);
      if (current.status !== 'processing' || current.pay_key !== key) return current;
      return setState(tx, current, { status: 'failed', reason: (failure?.reason ?? 'failed').slice(0, 200) });
    });
  }
  await changed(ctx, settled);
  if (settled.status === 'paid') return { status: 200, view: viewOf(settled) };
  if (failure?.error && settled.status === 'failed') {
    throw new PaymentError(failure.error.code, failure.error.message, {
      ...failure.error.details,
      requestId: id,
      status: 'failed',
      reason: settled.reason,
    });
  }
  throw failedError(settled);
}

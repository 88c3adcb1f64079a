/**
 * A provider operation (a top-up or a payout) as the ledger records it, and booking the
 * provider's answer to it, once: what top-ups, payouts, provider callbacks and reconcile share.
 */
import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { providerAccount, userAccount } from '../ledger/accounts.js';
import { postTransaction } from '../ledger/post-transaction.js';
import { releaseDaily } from '../limits.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';

export interface OperationRow {
  id: string;
  kind: 'topup' | 'payout';
  user_id: string;
  amount: number;
  currency: string;
  status: 'pending' | 'succeeded' | 'declined' | 'abandoned';
  provider_ref: string | null;
  failure: string | null;
  tx_id: number | null;
  created_at: number;
  updated_at: number;
  [c: string]: unknown;
}

export interface OperationView {
  operationId: string;
  kind: OperationRow['kind'];
  status: OperationRow['status'];
  amountMinor: number;
  currency: string;
  providerRef: string | null;
  failure: string | null;
}

export const viewOf = (r: OperationRow): OperationView => ({
  operationId: r.id,
  kind: r.kind,
  status: r.status,
  amountMinor: r.amount,
  currency: r.currency,
  providerRef: r.provider_ref,
  failure: r.failure,
});

/**
 * A key whose operation charged nothing (the provider declined it, or it was abandoned because it
 * never happened) is freed, so the same key may be used again, for this or another request.
 */
export async function releaseUncharged(tx: DatabaseTransaction, owner: string, key: string): Promise<void> {
  const [stored] = await tx
    .table<{ owner: string; key: string; response: { operationId?: string } | null }>('idempotency')
    .where({ owner, key })
    .forUpdate()
    .all();
  const operationId = stored?.response?.operationId;
  if (typeof operationId !== 'string') return;
  const op = await tx.table<OperationRow>('provider_operations').where({ id: operationId }).first();
  if (op && (op.status === 'declined' || op.status === 'abandoned'))
    await tx.table('idempotency').where({ owner, key }).delete();
}

export async function operation(ctx: PluginContext<PaymentsSettings>, id: string): Promise<OperationRow> {
  const row = await ctx.database.table<OperationRow>('provider_operations').where({ id }).first();
  if (!row) throw new PaymentError('not_found', `No operation ${id}.`);
  return row;
}

/** Step 3, exactly once: whoever locks the pending row first books it; the others see it done. */
export async function book(
  ctx: PluginContext<PaymentsSettings>,
  providerName: string,
  id: string,
  result: { ref: string; status: string; reason?: string },
): Promise<OperationView> {
  return ctx.database.transaction(async (tx) => {
    const [op] = await tx.table<OperationRow>('provider_operations').where({ id }).forUpdate().all();
    if (!op) throw new PaymentError('not_found', `No operation ${id}.`);
    if (op.status !== 'pending') return viewOf(op);
    const now = Date.now();
    const settle = async (changes: Partial<OperationRow>): Promise<OperationView> => {
      await tx
        .table('provider_operations')
        .where({ id })
        .update({ ...changes, updated_at: now });
      return viewOf({ ...op, ...changes });
    };
    // The provider account pays the person: a top-up's money arriving, or a refused payout's coming back.
    const intoWallet = (kind: string, meta: Record<string, unknown>) =>
      postTransaction(tx, ctx.crypto, {
        kind,
        ref: op.id,
        meta,
        settle: true,
        postings: [
          { account: providerAccount(providerName, op.currency), currency: op.currency, amount: -op.amount },
          { account: userAccount(op.user_id, op.currency), currency: op.currency, amount: op.amount },
        ],
      });
    const failure = result.reason ?? result.status;
    const failed = {
      status: result.status === 'declined' ? 'declined' : 'abandoned',
      provider_ref: result.ref,
      failure,
    } as const;
    if (op.kind === 'payout') {
      // The money left the wallet when the payout was recorded; a payout that did not happen
      // comes back as a new, correcting transaction.
      if (result.status === 'succeeded') return settle({ status: 'succeeded', provider_ref: result.ref });
      await releaseDaily(tx, op.user_id, op.currency, op.amount, op.created_at);
      await intoWallet('payout_reversal', { provider: providerName, reason: failure });
      return settle(failed);
    }
    if (result.status !== 'succeeded') return settle(failed);
    const posted = await intoWallet(op.kind, { provider: providerName, providerRef: result.ref });
    return settle({ status: 'succeeded', provider_ref: result.ref, tx_id: posted.txId });
  });
}

/**
 * Refunds: the payee of a transfer, or of a hold's captures, gives money back to the payer. The
 * money model, the locking and the optional transaction are those described in create-hold.ts.
 */
import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { userAccount } from '../ledger/accounts.js';
import { checkAmount, checkCurrency } from '../currencies.js';
import {
  asBody,
  type Body,
  checkId,
  checkParty,
  checkSameCurrency,
  type HoldRow,
  iso,
  lockHold,
  optionalText,
  ownerOf,
  run,
} from './hold-records.js';
import { checkKey, once } from '../idempotency.js';
import { postTransaction } from '../ledger/post-transaction.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';
import type { TransferRow } from '../transfers/list-transfers.js';

type Ctx = PluginContext<PaymentsSettings>;
type Tx = DatabaseTransaction;

export interface RefundRow {
  id: string;
  source_kind: RefundSource;
  source_id: string;
  from_user: string;
  to_user: string;
  amount: number;
  currency: string;
  reason: string | null;
  tx_id: number;
  created_at: number;
  [c: string]: unknown;
}

export type RefundSource = 'transfer' | 'hold';

export interface RefundView {
  refundId: string;
  source: RefundSource;
  sourceId: string;
  /** The payee of the original payment, who gives the money back. */
  from: string;
  /** The original payer. */
  to: string;
  amountMinor: number;
  currency: string;
  reason: string | null;
  createdAt: string;
}

export interface RefundResult extends RefundView {
  txId: number;
  /** All refunds of the source so far, this one included. */
  refundedMinor: number;
  /** What may still be refunded. */
  refundableMinor: number;
}

export interface RefundRequest {
  amountMinor: number;
  idempotencyKey: string;
  currency?: string;
  reason?: string | null;
}

export const refundViewOf = (r: RefundRow): RefundView => ({
  refundId: r.id,
  source: r.source_kind,
  sourceId: r.source_id,
  from: r.from_user,
  to: r.to_user,
  amountMinor: r.amount,
  currency: r.currency,
  reason: r.reason,
  createdAt: iso(r.created_at),
});

/**
 * Refunds part or all of a transfer: its payee (actorId) gives `amountMinor` back to its payer.
 * Refunds of one transfer never pass its amount in total (refund_exceeds_capture), never take
 * the payee below zero (insufficient_funds), and run once per idempotency key.
 */
export function refundTransfer(
  ctx: Ctx,
  tx: Tx | null,
  transferId: string,
  actorId: string | null,
  input: Partial<RefundRequest> | Body,
): Promise<{ result: RefundResult; replayed: boolean }> {
  return refund(ctx, tx, 'transfer', transferId, actorId, input);
}

/** Refunds part or all of what a hold's captures paid its payee; as refundTransfer, bounded by the captured total. */
export function refundHold(
  ctx: Ctx,
  tx: Tx | null,
  holdId: string,
  actorId: string | null,
  input: Partial<RefundRequest> | Body,
): Promise<{ result: RefundResult; replayed: boolean }> {
  return refund(ctx, tx, 'hold', holdId, actorId, input);
}

async function refund(
  ctx: Ctx,
  tx: Tx | null,
  source: RefundSource,
  sourceId: string,
  actorId: string | null,
  input: Partial<RefundRequest> | Body,
): Promise<{ result: RefundResult; replayed: boolean }> {
  const body = asBody(input);
  const id = checkId(sourceId, source);
  const key = checkKey(body.idempotencyKey);
  const amount = checkAmount(body.amountMinor);
  if (body.currency !== undefined) checkCurrency(ctx.settings.currencies, body.currency);
  const reason = optionalText(body.reason, 'reason');
  const request = { op: 'refund', source, sourceId: id, amountMinor: amount, currency: body.currency, reason };
  const { response, replayed } = await run(ctx, tx, (t) =>
    once(t, ctx.crypto, ownerOf(actorId), key, request, async () => {
      // Lock the refunded object first: concurrent refunds of it queue here, and each sees the ones before.
      let payer: string;
      let payee: string;
      let currency: string;
      let bound: number;
      let already: number;
      if (source === 'transfer') {
        const [transfer] = await t.table<TransferRow>('transfers').where({ id }).forUpdate().all();
        if (!transfer || (actorId !== null && actorId !== transfer.from_user && actorId !== transfer.to_user))
          throw new PaymentError('not_found', `No transfer ${id}.`);
        if (actorId !== null && actorId !== transfer.to_user)
          throw new PaymentError('not_permitted', 'Only the payee of a transfer may refund it.');
        ({ from_user: payer, to_user: payee, currency, amount: bound } = transfer);
        const [sum] = await t
          .table<RefundRow>('refunds')
          .where({ source_kind: 'transfer', source_id: id })
          .aggregate({ sum: ['amount'] });
        already = Number(sum?.sum_amount ?? 0);
      } else {
        const hold = await lockHold(t, id);
        checkParty(hold, actorId, ['payee'], 'refund');
        ({ payer, payee, currency, captured: bound, refunded: already } = hold);
      }
      checkSameCurrency(ctx, body.currency, currency);
      if (already + amount > bound) {
        throw new PaymentError(
          'refund_exceeds_capture',
          `${bound - already} minor units of ${bound} may still be refunded; ${amount} is more.`,
          { refundableMinor: bound - already, refundedMinor: already },
        );
      }
      const refundId = await ctx.crypto.randomId();
      const posted = await postTransaction(t, ctx.crypto, {
        kind: 'refund',
        ref: refundId,
        meta: { source, sourceId: id },
        postings: [
          { account: userAccount(payee, currency), currency, amount: -amount },
          { account: userAccount(payer, currency), currency, amount },
        ],
      });
      const row: RefundRow = {
        id: refundId,
        source_kind: source,
        source_id: id,
        from_user: payee,
        to_user: payer,
        amount,
        currency,
        reason,
        tx_id: posted.txId,
        created_at: posted.createdAt,
      };
      await t.table<RefundRow>('refunds').insert(row);
      if (source === 'hold')
        await t
          .table<HoldRow>('holds')
          .where({ id })
          .update({ refunded: already + amount, updated_at: posted.createdAt });
      return {
        ...refundViewOf(row),
        txId: posted.txId,
        refundedMinor: already + amount,
        refundableMinor: bound - already - amount,
      } satisfies RefundResult;
    }),
  );
  return { result: response, replayed };
}

/** The refunds of a transfer, for its payer or payee. */
export async function transferRefunds(ctx: Ctx, transferId: string, viewerId: string | null): Promise<RefundView[]> {
  const id = checkId(transferId, 'transfer');
  const transfer = await ctx.database.table<TransferRow>('transfers').where({ id }).first();
  if (!transfer || (viewerId !== null && viewerId !== transfer.from_user && viewerId !== transfer.to_user))
    throw new PaymentError('not_found', `No transfer ${id}.`);
  return (
    await ctx.database
      .table<RefundRow>('refunds')
      .where({ source_kind: 'transfer', source_id: id })
      .orderBy('tx_id')
      .all()
  ).map(refundViewOf);
}

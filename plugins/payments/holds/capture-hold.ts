import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { checkAmount, checkCurrency } from '../currencies.js';
import { checkKey, once } from '../idempotency.js';
import { holdAccount, userAccount } from '../ledger/accounts.js';
import { postTransaction, type Posting } from '../ledger/post-transaction.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';
import {
  asBody,
  type Body,
  checkId,
  checkParty,
  checkResolvable,
  checkSameCurrency,
  type HoldRow,
  type HoldStatus,
  type HoldView,
  holdViewOf,
  iso,
  lockHold,
  ownerOf,
  remainingOf,
  run,
} from './hold-records.js';

type Ctx = PluginContext<PaymentsSettings>;
type Tx = DatabaseTransaction;

export interface CaptureRow {
  id: string;
  hold_id: string;
  by_user: string | null;
  amount: number;
  released: number;
  tx_id: number;
  created_at: number;
  [c: string]: unknown;
}

export interface CaptureView {
  captureId: string;
  amountMinor: number;
  releasedMinor: number;
  createdAt: string;
}
export interface CaptureResult extends CaptureView {
  holdId: string;
  currency: string;
  final: boolean;
  hold: HoldView;
}
export interface CaptureRequest {
  amountMinor: number;
  idempotencyKey: string;
  currency?: string;
  final?: boolean;
}
export const captureViewOf = (c: CaptureRow): CaptureView => ({
  captureId: c.id,
  amountMinor: c.amount,
  releasedMinor: c.released,
  createdAt: iso(c.created_at),
});

/**
 * Captures `amountMinor` of a hold for its payee (actorId: the payee, or null for the plugin
 * itself). Several partial captures may follow each other; in total they never pass what was
 * held (capture_exceeds_hold). `final: true` also returns what is left to the payer and resolves
 * the hold. A resolved or expired hold is invalid_state; a currency other than the hold's is
 * currency_mismatch.
 */
export async function captureHold(
  ctx: Ctx,
  tx: Tx | null,
  holdId: string,
  actorId: string | null,
  input: Partial<CaptureRequest> | Body,
): Promise<{ result: CaptureResult; replayed: boolean }> {
  const body = asBody(input);
  const id = checkId(holdId, 'hold');
  const key = checkKey(body.idempotencyKey);
  const amount = checkAmount(body.amountMinor);
  if (body.final !== undefined && typeof body.final !== 'boolean')
    throw new PaymentError('invalid_payment_request', '`final` is true or false.');
  const final = body.final === true;
  if (body.currency !== undefined) checkCurrency(ctx.settings.currencies, body.currency);
  const request = { op: 'capture', holdId: id, amountMinor: amount, final, currency: body.currency };
  const { response, replayed } = await run(ctx, tx, (t) =>
    once(t, ctx.crypto, ownerOf(actorId), key, request, async () => {
      const hold = await lockHold(t, id);
      checkParty(hold, actorId, ['payee'], 'capture');
      checkSameCurrency(ctx, body.currency, hold.currency);
      checkResolvable(hold, 'captured');
      const now = Date.now();
      if (hold.expires_at <= now)
        throw new PaymentError('invalid_state', 'The hold has expired; it cannot be captured.', { status: 'expired' });
      const left = remainingOf(hold);
      if (amount > left)
        throw new PaymentError(
          'capture_exceeds_hold',
          `The hold has ${left} minor units left; ${amount} cannot be captured.`,
          { remainingMinor: left },
        );
      const release = final ? left - amount : 0;
      const captureId = await ctx.crypto.randomId();
      const postings: Posting[] = [
        { account: holdAccount(hold.id, hold.currency), currency: hold.currency, amount: -(amount + release) },
        { account: userAccount(hold.payee, hold.currency), currency: hold.currency, amount },
      ];
      if (release > 0)
        postings.push({ account: userAccount(hold.payer, hold.currency), currency: hold.currency, amount: release });
      const posted = await postTransaction(t, ctx.crypto, {
        kind: 'hold_capture',
        ref: captureId,
        meta: { holdId: hold.id, released: release },
        postings,
      });
      const captured = hold.captured + amount;
      const released = hold.released + release;
      const status: HoldStatus = captured + released === hold.amount ? 'captured' : 'partially_captured';
      const resolvedAt = status === 'captured' ? posted.createdAt : null;
      await t
        .table<HoldRow>('holds')
        .where({ id: hold.id })
        .update({
          captured,
          released,
          status,
          updated_at: posted.createdAt,
          resolved_at: resolvedAt,
          ...(release > 0 ? { release_tx_id: posted.txId } : {}),
        });
      const capture: CaptureRow = {
        id: captureId,
        hold_id: hold.id,
        by_user: actorId,
        amount,
        released: release,
        tx_id: posted.txId,
        created_at: posted.createdAt,
      };
      await t.table<CaptureRow>('hold_captures').insert(capture);
      const after: HoldRow = {
        ...hold,
        captured,
        released,
        status,
        updated_at: posted.createdAt,
        resolved_at: resolvedAt,
      };
      return {
        ...captureViewOf(capture),
        holdId: hold.id,
        currency: hold.currency,
        final,
        hold: holdViewOf(after),
      } satisfies CaptureResult;
    }),
  );
  return { result: response, replayed };
}

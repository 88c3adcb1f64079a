/**
 * Holds: authorizing one (here), capturing (capture-hold.ts), voiding (void-hold.ts), expiry
 * (hold-expiry.ts), and refunds (refunds.ts).
 *
 * Money model, all through postTransaction:
 * - authorize: payer → hold:<holdId>:<currency> (the amount is set aside, the payer cannot spend it);
 * - capture:   hold → payee (partial captures allowed, several, in total at most what was held);
 *              a `final` capture also returns what is left to the payer, in the same ledger transaction;
 * - void / expiry: what is left on the hold → payer; the hold is resolved;
 * - refund:    payee → payer, of a transfer or of a hold's captures, in total at most what was
 *              transferred or captured, never taking the payee below zero.
 *
 * Every change locks the hold (or transfer) row with forUpdate first and checks its state in the
 * same transaction, so a hold is resolved at most once and the bounds hold under concurrency,
 * however often the expiry job runs or races a capture. Every request of a person runs once per
 * idempotency key (once()).
 *
 * The functions take an optional transaction so that other flows (payment requests) can make a
 * hold part of their own transaction. Inside a caller's transaction nothing but the database and
 * ctx.crypto may be used, so then the caller must have checked the payer's PIN and that the payee
 * exists before, and must call scheduleHoldExpiry() (hold-expiry.ts) after the commit.
 */
import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { checkAmount, checkCurrency } from '../currencies.js';
import { findUser } from '../find-user.js';
import { checkKey, once } from '../idempotency.js';
import { holdAccount, userAccount } from '../ledger/accounts.js';
import { postTransaction } from '../ledger/post-transaction.js';
import { checkPerTransfer, spendDaily } from '../limits.js';
import { PaymentError } from '../payment-error.js';
import type { PinKey } from '../pins/pin-key.js';
import { verifyPin } from '../pins/verify-pin.js';
import type { PaymentsSettings } from '../settings.js';
import { scheduleHoldExpiry } from './hold-expiry.js';
import {
  asBody,
  type Body,
  type HoldRow,
  type HoldView,
  holdViewOf,
  optionalText,
  ownerOf,
  run,
} from './hold-records.js';

type Ctx = PluginContext<PaymentsSettings>;
type Tx = DatabaseTransaction;

export interface HoldSettings {
  minExpiresInMs: number;
  maxExpiresInMs: number;
  defaultExpiresInMs: number;
}
export const DEFAULT_HOLD_SETTINGS: HoldSettings = {
  minExpiresInMs: 60_000,
  maxExpiresInMs: 7 * 24 * 3_600_000,
  defaultExpiresInMs: 7 * 24 * 3_600_000,
};

export interface HoldRequest {
  /** A user id (or @handle, outside a caller's transaction). */
  payee: string;
  amountMinor: number;
  currency: string;
  idempotencyKey: string;
  /** The payer's PIN; needed unless the caller checked it (see createHold). */
  pin?: string;
  expiresInMs?: number;
  description?: string | null;
}

function holdSettings(ctx: Ctx): HoldSettings {
  return { ...DEFAULT_HOLD_SETTINGS, ...(ctx.settings.holds ?? {}) };
}

/**
 * Authorizes a hold: the payer's money moves onto the hold, under the payer's idempotency key
 * (the same key and request returns the original hold; another request is idempotency_conflict).
 * The amount counts against the payer's per-transfer and daily limits, as a transfer would.
 *
 * Without `tx`: checks that the payee exists and the payer's PIN (body.pin), runs in its own
 * transaction, then schedules the expiry job. With `tx`: runs in it; the caller must have checked
 * the PIN (verifyPin) and the payee (a user id) before, and calls scheduleHoldExpiry() after commit.
 */
export async function createHold(
  ctx: Ctx,
  pinKey: PinKey,
  tx: Tx | null,
  payerId: string,
  input: Partial<HoldRequest> | Body,
): Promise<{ hold: HoldView; replayed: boolean }> {
  const body = asBody(input);
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  const description = optionalText(body.description, 'description');
  const settings = holdSettings(ctx);
  const expiresInMs =
    body.expiresInMs === undefined
      ? Math.min(Math.max(settings.defaultExpiresInMs, settings.minExpiresInMs), settings.maxExpiresInMs)
      : body.expiresInMs;
  if (
    typeof expiresInMs !== 'number' ||
    !Number.isInteger(expiresInMs) ||
    expiresInMs < settings.minExpiresInMs ||
    expiresInMs > settings.maxExpiresInMs
  ) {
    throw new PaymentError(
      'invalid_payment_request',
      `expiresInMs is a whole number of milliseconds from ${settings.minExpiresInMs} to ${settings.maxExpiresInMs}.`,
      {
        minExpiresInMs: settings.minExpiresInMs,
        maxExpiresInMs: settings.maxExpiresInMs,
      },
    );
  }
  checkPerTransfer(ctx, amount);
  if (typeof body.payee !== 'string' || body.payee.length === 0 || body.payee.length > 64)
    throw new PaymentError('invalid_payment_request', '`payee` is a user id or @handle.');

  let payeeId: string;
  if (tx) {
    if (body.payee.startsWith('@'))
      throw new PaymentError('invalid_payment_request', 'Inside a transaction, `payee` must be a user id.');
    payeeId = body.payee;
  } else {
    payeeId = (await findUser(ctx, body.payee, 'recipient_not_found')).id;
  }
  if (payeeId === payerId) throw new PaymentError('self_transfer', 'A hold needs a payee other than the payer.');
  if (!tx) await verifyPin(ctx, pinKey, payerId, body.pin);

  const request = { op: 'hold', payee: payeeId, amountMinor: amount, currency, expiresInMs, description };
  const result = await run(ctx, tx, (t) =>
    once(t, ctx.crypto, ownerOf(payerId), key, request, async () => {
      const holdId = await ctx.crypto.randomId();
      const now = Date.now();
      await spendDaily(t, ctx, payerId, currency, amount, now);
      const posted = await postTransaction(t, ctx.crypto, {
        kind: 'hold_authorize',
        ref: holdId,
        meta: { payee: payeeId },
        postings: [
          { account: userAccount(payerId, currency), currency, amount: -amount },
          { account: holdAccount(holdId, currency), currency, amount },
        ],
      });
      const row: HoldRow = {
        id: holdId,
        payer: payerId,
        payee: payeeId,
        currency,
        amount,
        captured: 0,
        released: 0,
        refunded: 0,
        status: 'authorized',
        description,
        expires_at: posted.createdAt + expiresInMs,
        auth_tx_id: posted.txId,
        release_tx_id: null,
        created_at: posted.createdAt,
        updated_at: posted.createdAt,
        resolved_at: null,
      };
      await t.table<HoldRow>('holds').insert(row);
      return holdViewOf(row);
    }),
  );
  const hold = result.response;
  // A replay schedules again too (the job key makes that a no-op): it heals a crash between commit and schedule.
  if (!tx) await scheduleHoldExpiry(ctx, hold);
  return { hold, replayed: result.replayed };
}

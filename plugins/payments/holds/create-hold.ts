/**
 * Holds (authorize now, capture later; expiry in hold-expiry.ts) and refunds (refunds.ts).
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
import type { DatabaseTransaction, PluginContext, PublicUser } from '../../sdk/index.js';
import { holdAccount, userAccount } from './accounts.js';
import { checkAmount, checkCurrency } from './currencies.js';
import { release, scheduleHoldExpiry } from './hold-expiry.js';
import {
  asBody, type Body, checkId, checkParty, checkSameCurrency, type HoldRow, type HoldStatus, type HoldView, holdViewOf, iso, isOpen,
  lockHold, optionalText, ownerOf, remainingOf, run,
} from './holds-shared.js';
import { checkKey, once } from './idempotency.js';
import { postTransaction, type Posting } from './ledger.js';
import { checkPerTransfer, spendDaily } from './limits.js';
import { PaymentError } from './payment-error.js';
import { verifyPin } from './pins.js';
import { type RefundRow, type RefundView, refundViewOf } from './refunds.js';
import type { PaymentsSettings } from './settings.js';

type Ctx = PluginContext<PaymentsSettings>;
type Tx = DatabaseTransaction;

export interface HoldSettings { minExpiresInMs: number; maxExpiresInMs: number; defaultExpiresInMs: number }
export const DEFAULT_HOLD_SETTINGS: HoldSettings = { minExpiresInMs: 60_000, maxExpiresInMs: 7 * 24 * 3_600_000, defaultExpiresInMs: 7 * 24 * 3_600_000 };

interface CaptureRow { id: string; hold_id: string; by_user: string | null; amount: number; released: number; tx_id: number; created_at: number; [c: string]: unknown }

export interface CaptureView { captureId: string; amountMinor: number; releasedMinor: number; createdAt: string }

export interface HoldDetails extends HoldView { captures: CaptureView[]; refunds: RefundView[] }

export interface CaptureResult extends CaptureView { holdId: string; currency: string; final: boolean; hold: HoldView }

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
export interface CaptureRequest { amountMinor: number; idempotencyKey: string; currency?: string; final?: boolean }
export interface VoidRequest { idempotencyKey: string }

const captureViewOf = (c: CaptureRow): CaptureView => ({ captureId: c.id, amountMinor: c.amount, releasedMinor: c.released, createdAt: iso(c.created_at) });

function holdSettings(ctx: Ctx): HoldSettings {
  return { ...DEFAULT_HOLD_SETTINGS, ...(ctx.settings.holds ?? {}) };
}

function checkResolvable(hold: HoldRow, action: string): void {
  if (!isOpen(hold)) {
    throw new PaymentError('invalid_state', `The hold is ${hold.status}; it cannot be ${action}.`, { status: hold.status });
  }
}

// ---- authorize ------------------------------------------------------------------

async function resolvePayee(ctx: Ctx, payee: string): Promise<PublicUser> {
  try {
    return payee.startsWith('@') ? await ctx.users.byHandle(payee.slice(1)) : await ctx.users.get(payee);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'user_not_found' || code === 'invalid_request') throw new PaymentError('recipient_not_found', `No user ${payee}.`);
    throw err;
  }
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
export async function createHold(ctx: Ctx, tx: Tx | null, payerId: string, input: Partial<HoldRequest> | Body): Promise<{ hold: HoldView; replayed: boolean }> {
  const body = asBody(input);
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  const description = optionalText(body.description, 'description');
  const settings = holdSettings(ctx);
  const expiresInMs = body.expiresInMs === undefined ? Math.min(Math.max(settings.defaultExpiresInMs, settings.minExpiresInMs), settings.maxExpiresInMs) : body.expiresInMs;
  if (typeof expiresInMs !== 'number' || !Number.isInteger(expiresInMs) || expiresInMs < settings.minExpiresInMs || expiresInMs > settings.maxExpiresInMs) {
    throw new PaymentError('invalid_payment_request', `expiresInMs is a whole number of milliseconds from ${settings.minExpiresInMs} to ${settings.maxExpiresInMs}.`, {
      minExpiresInMs: settings.minExpiresInMs, maxExpiresInMs: settings.maxExpiresInMs,
    });
  }
  checkPerTransfer(ctx, amount);
  if (typeof body.payee !== 'string' || body.payee.length === 0 || body.payee.length > 64) throw new PaymentError('invalid_payment_request', '`payee` is a user id or @handle.');

  let payeeId: string;
  if (tx) {
    if (body.payee.startsWith('@')) throw new PaymentError('invalid_payment_request', 'Inside a transaction, `payee` must be a user id.');
    payeeId = body.payee;
  } else {
    payeeId = (await resolvePayee(ctx, body.payee)).id;
  }
  if (payeeId === payerId) throw new PaymentError('self_transfer', 'A hold needs a payee other than the payer.');
  if (!tx) await verifyPin(ctx, payerId, body.pin);

  const request = { op: 'hold', payee: payeeId, amountMinor: amount, currency, expiresInMs, description };
  const result = await run(ctx, tx, (t) => once(t, ctx.crypto, ownerOf(payerId), key, request, async () => {
    const holdId = await ctx.crypto.randomId();
    const now = Date.now();
    await spendDaily(t, ctx, payerId, currency, amount, now);
    const posted = await postTransaction(t, ctx.crypto, {
      kind: 'hold_authorize', ref: holdId, meta: { payee: payeeId },
      postings: [{ account: userAccount(payerId, currency), currency, amount: -amount }, { account: holdAccount(holdId, currency), currency, amount }],
    });
    const row: HoldRow = {
      id: holdId, payer: payerId, payee: payeeId, currency, amount, captured: 0, released: 0, refunded: 0, status: 'authorized', description,
      expires_at: posted.createdAt + expiresInMs, auth_tx_id: posted.txId, release_tx_id: null, created_at: posted.createdAt, updated_at: posted.createdAt, resolved_at: null,
    };
    await t.table<HoldRow>('holds').insert(row);
    return holdViewOf(row);
  }));
  const hold = result.response;
  // A replay schedules again too (the job key makes that a no-op): it heals a crash between commit and schedule.
  if (!tx) await scheduleHoldExpiry(ctx, hold);
  return { hold, replayed: result.replayed };
}

// ---- capture, void, read -----------------------------------------------------------

/**
 * Captures `amountMinor` of a hold for its payee (actorId: the payee, or null for the plugin
 * itself). Several partial captures may follow each other; in total they never pass what was
 * held (capture_exceeds_hold). `final: true` also returns what is left to the payer and resolves
 * the hold. A resolved or expired hold is invalid_state; a currency other than the hold's is
 * currency_mismatch.
 */
export async function captureHold(ctx: Ctx, tx: Tx | null, holdId: string, actorId: string | null, input: Partial<CaptureRequest> | Body): Promise<{ result: CaptureResult; replayed: boolean }> {
  const body = asBody(input);
  const id = checkId(holdId, 'hold');
  const key = checkKey(body.idempotencyKey);
  const amount = checkAmount(body.amountMinor);
  if (body.final !== undefined && typeof body.final !== 'boolean') throw new PaymentError('invalid_payment_request', '`final` is true or false.');
  const final = body.final === true;
  if (body.currency !== undefined) checkCurrency(ctx.settings.currencies, body.currency);
  const request = { op: 'capture', holdId: id, amountMinor: amount, final, currency: body.currency };
  const { response, replayed } = await run(ctx, tx, (t) => once(t, ctx.crypto, ownerOf(actorId), key, request, async () => {
    const hold = await lockHold(t, id);
    checkParty(hold, actorId, ['payee'], 'capture');
    checkSameCurrency(ctx, body.currency, hold.currency);
    checkResolvable(hold, 'captured');
    const now = Date.now();
    if (hold.expires_at <= now) throw new PaymentError('invalid_state', 'The hold has expired; it cannot be captured.', { status: 'expired' });
    const left = remainingOf(hold);
    if (amount > left) throw new PaymentError('capture_exceeds_hold', `The hold has ${left} minor units left; ${amount} cannot be captured.`, { remainingMinor: left });
    const release = final ? left - amount : 0;
    const captureId = await ctx.crypto.randomId();
    const postings: Posting[] = [
      { account: holdAccount(hold.id, hold.currency), currency: hold.currency, amount: -(amount + release) },
      { account: userAccount(hold.payee, hold.currency), currency: hold.currency, amount },
    ];
    if (release > 0) postings.push({ account: userAccount(hold.payer, hold.currency), currency: hold.currency, amount: release });
    const posted = await postTransaction(t, ctx.crypto, { kind: 'hold_capture', ref: captureId, meta: { holdId: hold.id, released: release }, postings });
    const captured = hold.captured + amount;
    const released = hold.released + release;
    const status: HoldStatus = captured + released === hold.amount ? 'captured' : 'partially_captured';
    const resolvedAt = status === 'captured' ? posted.createdAt : null;
    await t.table<HoldRow>('holds').where({ id: hold.id }).update({
      captured, released, status, updated_at: posted.createdAt, resolved_at: resolvedAt, ...(release > 0 ? { release_tx_id: posted.txId } : {}),
    });
    const capture: CaptureRow = { id: captureId, hold_id: hold.id, by_user: actorId, amount, released: release, tx_id: posted.txId, created_at: posted.createdAt };
    await t.table<CaptureRow>('hold_captures').insert(capture);
    const after: HoldRow = { ...hold, captured, released, status, updated_at: posted.createdAt, resolved_at: resolvedAt };
    return { ...captureViewOf(capture), holdId: hold.id, currency: hold.currency, final, hold: holdViewOf(after) } satisfies CaptureResult;
  }));
  return { result: response, replayed };
}

/**
 * Voids an open hold: what is left goes back to the payer (captures stay with the payee). The
 * payer or the payee may void (actorId null: the plugin itself). A resolved hold is invalid_state.
 */
export async function voidHold(ctx: Ctx, tx: Tx | null, holdId: string, actorId: string | null, input: Partial<VoidRequest> | Body): Promise<{ hold: HoldView; replayed: boolean }> {
  const body = asBody(input);
  const id = checkId(holdId, 'hold');
  const key = checkKey(body.idempotencyKey);
  const { response, replayed } = await run(ctx, tx, (t) => once(t, ctx.crypto, ownerOf(actorId), key, { op: 'void', holdId: id }, async () => {
    const hold = await lockHold(t, id);
    checkParty(hold, actorId, ['payer', 'payee'], 'void');
    checkResolvable(hold, 'voided');
    return holdViewOf(await release(ctx, t, hold, 'voided', Date.now()));
  }));
  return { hold: response, replayed };
}

/** The hold with its captures and refunds, for its payer or payee (viewerId null: anyone, for the plugin itself). */
export async function getHold(ctx: Ctx, holdId: string, viewerId: string | null): Promise<HoldDetails> {
  const id = checkId(holdId, 'hold');
  const hold = await ctx.database.table<HoldRow>('holds').where({ id }).first();
  if (!hold || (viewerId !== null && viewerId !== hold.payer && viewerId !== hold.payee)) throw new PaymentError('not_found', `No hold ${id}.`);
  const captures = await ctx.database.table<CaptureRow>('hold_captures').where({ hold_id: id }).orderBy('tx_id').all();
  const refunds = await ctx.database.table<RefundRow>('refunds').where({ source_kind: 'hold', source_id: id }).orderBy('tx_id').all();
  return { ...holdViewOf(hold), captures: captures.map(captureViewOf), refunds: refunds.map(refundViewOf) };
}

/**
 * Holds (authorize now, capture later) and refunds.
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
 * exists before, and must call scheduleHoldExpiry() after the commit.
 */
import type { DatabaseTransaction, PluginContext, PublicUser } from '../../sdk/index.js';
import { holdAccount, userAccount } from './accounts.js';
import { checkAmount, checkCurrency } from './currencies.js';
import { checkKey, once } from './idempotency.js';
import { postTransaction, type Posting } from './ledger.js';
import { PaymentError } from './payment-error.js';
import { verifyPin } from './pins.js';
import type { PaymentsSettings } from './settings.js';

type Ctx = PluginContext<PaymentsSettings>;
type Tx = DatabaseTransaction;

export type HoldStatus = 'authorized' | 'partially_captured' | 'captured' | 'voided' | 'expired';
/** States in which a hold still has money on it and can be captured, voided or expire. */
export const OPEN_HOLD_STATUSES: readonly HoldStatus[] = ['authorized', 'partially_captured'];

/** The scheduler job that expires one hold (payload {holdId}), and the sweep that catches any it missed. */
export const HOLD_EXPIRY_JOB = 'hold-expiry';
export const HOLD_EXPIRY_SWEEP_JOB = 'hold-expiry-sweep';

export interface HoldSettings { minExpiresInMs: number; maxExpiresInMs: number; defaultExpiresInMs: number }
export const DEFAULT_HOLD_SETTINGS: HoldSettings = { minExpiresInMs: 60_000, maxExpiresInMs: 7 * 24 * 3_600_000, defaultExpiresInMs: 7 * 24 * 3_600_000 };

export interface HoldRow {
  id: string; payer: string; payee: string; currency: string; amount: number; captured: number; released: number; refunded: number;
  status: HoldStatus; description: string | null; expires_at: number; auth_tx_id: number; release_tx_id: number | null;
  created_at: number; updated_at: number; resolved_at: number | null; [c: string]: unknown;
}

interface CaptureRow { id: string; hold_id: string; by_user: string | null; amount: number; released: number; tx_id: number; created_at: number; [c: string]: unknown }

interface RefundRow {
  id: string; source_kind: RefundSource; source_id: string; from_user: string; to_user: string; amount: number; currency: string;
  reason: string | null; tx_id: number; created_at: number; [c: string]: unknown;
}

interface TransferRow { id: string; from_user: string; to_user: string; amount: number; currency: string; [c: string]: unknown }

export interface HoldView {
  holdId: string;
  status: HoldStatus;
  payer: string;
  payee: string;
  currency: string;
  /** What was authorized (set aside). */
  amountMinor: number;
  capturedMinor: number;
  /** What went back to the payer by a void, an expiry or a final capture. */
  releasedMinor: number;
  refundedMinor: number;
  /** Still on hold: may be captured, and goes back to the payer at void or expiry. */
  remainingMinor: number;
  description: string | null;
  expiresAt: string;
  createdAt: string;
  resolvedAt: string | null;
}

export interface CaptureView { captureId: string; amountMinor: number; releasedMinor: number; createdAt: string }

export interface HoldDetails extends HoldView { captures: CaptureView[]; refunds: RefundView[] }

export interface CaptureResult extends CaptureView { holdId: string; currency: string; final: boolean; hold: HoldView }

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
export interface RefundRequest { amountMinor: number; idempotencyKey: string; currency?: string; reason?: string | null }

type Body = Record<string, unknown>;

const iso = (ms: number) => new Date(ms).toISOString();
const day = (at: number) => new Date(at).toISOString().slice(0, 10);
/** Idempotency keys of hold and refund requests live apart from transfer keys (owner column ≤ 80). */
const ownerOf = (actorId: string | null) => `holds:${actorId ?? '~system'}`;
const remainingOf = (h: HoldRow) => h.amount - h.captured - h.released;
const isOpen = (h: HoldRow) => OPEN_HOLD_STATUSES.includes(h.status);

export function holdViewOf(h: HoldRow): HoldView {
  return {
    holdId: h.id, status: h.status, payer: h.payer, payee: h.payee, currency: h.currency, amountMinor: h.amount,
    capturedMinor: h.captured, releasedMinor: h.released, refundedMinor: h.refunded, remainingMinor: remainingOf(h),
    description: h.description, expiresAt: iso(h.expires_at), createdAt: iso(h.created_at), resolvedAt: h.resolved_at === null ? null : iso(h.resolved_at),
  };
}

const captureViewOf = (c: CaptureRow): CaptureView => ({ captureId: c.id, amountMinor: c.amount, releasedMinor: c.released, createdAt: iso(c.created_at) });
const refundViewOf = (r: RefundRow): RefundView => ({
  refundId: r.id, source: r.source_kind, sourceId: r.source_id, from: r.from_user, to: r.to_user, amountMinor: r.amount, currency: r.currency,
  reason: r.reason, createdAt: iso(r.created_at),
});

function holdSettings(ctx: Ctx): HoldSettings {
  return { ...DEFAULT_HOLD_SETTINGS, ...(ctx.settings.holds ?? {}) };
}

/** Ids are UUIDs; anything else names no object (and must not reach a 36-character column). */
function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 36) throw new PaymentError('not_found', `No ${what} ${JSON.stringify(id)}.`);
  return id;
}

function asBody(body: unknown): Body {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new PaymentError('invalid_payment_request', 'The request must be an object.');
  return body as Body;
}

function optionalText(value: unknown, what: string, max = 200): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max) throw new PaymentError('invalid_payment_request', `${what} is a text of at most ${max} characters.`);
  return value;
}

/** A currency named in a capture or refund must be the one of the money it moves. */
function checkSameCurrency(ctx: Ctx, named: unknown, actual: string): void {
  if (named === undefined) return;
  const currency = checkCurrency(ctx.settings.currencies, named);
  if (currency !== actual) throw new PaymentError('currency_mismatch', `This payment is in ${actual}; a request in ${currency} cannot move it.`, { currency: actual });
}

async function lockHold(tx: Tx, holdId: string): Promise<HoldRow> {
  const [hold] = await tx.table<HoldRow>('holds').where({ id: holdId }).forUpdate().all();
  if (!hold) throw new PaymentError('not_found', `No hold ${holdId}.`);
  return hold;
}

/** Outside the hold's two parties a hold does not exist; a party without the right is told so. */
function checkParty(hold: HoldRow, actorId: string | null, allowed: readonly ('payer' | 'payee')[], action: string): void {
  if (actorId === null) return;
  const role = actorId === hold.payee ? 'payee' : actorId === hold.payer ? 'payer' : null;
  if (role === null) throw new PaymentError('not_found', `No hold ${hold.id}.`);
  if (!allowed.includes(role)) throw new PaymentError('not_permitted', `Only the ${allowed.join(' or ')} of a hold may ${action} it.`);
}

function checkResolvable(hold: HoldRow, action: string): void {
  if (!isOpen(hold)) {
    throw new PaymentError('invalid_state', `The hold is ${hold.status}; it cannot be ${action}.`, { status: hold.status });
  }
}

async function run<T>(ctx: Ctx, tx: Tx | null, work: (tx: Tx) => Promise<T>): Promise<T> {
  return tx ? work(tx) : ctx.database.transaction(work);
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
  const { perTransferMinor } = ctx.settings.limits;
  if (amount > perTransferMinor) throw new PaymentError('limit_exceeded', `A payment may be at most ${perTransferMinor} minor units.`, { limitMinor: perTransferMinor });
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
    await spendDaily(ctx, t, payerId, currency, amount, now);
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

/** The payer's daily limit, as transfers count it (the same daily_usage row, locked). */
async function spendDaily(ctx: Ctx, tx: Tx, payerId: string, currency: string, amount: number, now: number): Promise<void> {
  const { dailyMinor } = ctx.settings.limits;
  const today = day(now);
  await tx.table('daily_usage').insert({ user_id: payerId, day: today, currency, amount: 0 }, { onConflictIgnore: ['user_id', 'day', 'currency'] });
  const [usage] = await tx.table<{ user_id: string; day: string; currency: string; amount: number }>('daily_usage').where({ user_id: payerId, day: today, currency }).forUpdate().all();
  if (usage!.amount + amount > dailyMinor) {
    throw new PaymentError('limit_exceeded', `Payments in ${currency} may total at most ${dailyMinor} minor units a day; ${usage!.amount} are used.`, { limitMinor: dailyMinor, usedMinor: usage!.amount });
  }
  await tx.table('daily_usage').where({ user_id: payerId, day: today, currency }).increment('amount', amount);
}

/**
 * Schedules the hold's expiry job (keyed by the hold id, so scheduling again changes nothing).
 * Call it after the transaction that created the hold commits. A failure is logged, not thrown:
 * the hold exists, and the sweep (every minute) expires overdue holds that have no job.
 */
export async function scheduleHoldExpiry(ctx: Ctx, hold: Pick<HoldView, 'holdId' | 'expiresAt'>): Promise<void> {
  try {
    await ctx.scheduler.schedule(HOLD_EXPIRY_JOB, { at: hold.expiresAt, payload: { holdId: hold.holdId }, key: `hold-expiry:${hold.holdId}` });
  } catch (err) {
    ctx.log.warn('could not schedule the expiry of a hold; the sweep will expire it', { holdId: hold.holdId, error: String((err as Error).message) });
  }
}

// ---- capture, void, expire ---------------------------------------------------------

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

/** Returns what is left on an open hold to its payer, and resolves the hold as `status`. In the caller's transaction, with the hold locked. */
async function release(ctx: Ctx, tx: Tx, hold: HoldRow, status: 'voided' | 'expired', now: number): Promise<HoldRow> {
  const left = remainingOf(hold);
  let releaseTxId: number | null = hold.release_tx_id;
  if (left > 0) {
    const posted = await postTransaction(tx, ctx.crypto, {
      kind: status === 'voided' ? 'hold_void' : 'hold_expire', ref: hold.id, meta: { holdId: hold.id },
      postings: [{ account: holdAccount(hold.id, hold.currency), currency: hold.currency, amount: -left }, { account: userAccount(hold.payer, hold.currency), currency: hold.currency, amount: left }],
    });
    releaseTxId = posted.txId;
  }
  const released = hold.released + left;
  await tx.table<HoldRow>('holds').where({ id: hold.id }).update({ released, status, release_tx_id: releaseTxId, updated_at: now, resolved_at: now });
  return { ...hold, released, status, release_tx_id: releaseTxId, updated_at: now, resolved_at: now };
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

/**
 * Expires a hold whose time has come: what is left goes back to the payer, once. Safe to run
 * any number of times and concurrently with captures and voids: the hold row is locked and its
 * state checked, so a resolved hold, or one not yet due at `now`, is left as it is.
 */
export async function expireHold(ctx: Ctx, tx: Tx | null, holdId: string, now: number = Date.now()): Promise<{ expired: boolean; hold: HoldView | null }> {
  if (typeof holdId !== 'string' || holdId.length === 0 || holdId.length > 36) return { expired: false, hold: null };
  return run(ctx, tx, async (t) => {
    const [hold] = await t.table<HoldRow>('holds').where({ id: holdId }).forUpdate().all();
    if (!hold) return { expired: false, hold: null };
    if (!isOpen(hold) || hold.expires_at > now) return { expired: false, hold: holdViewOf(hold) };
    return { expired: true, hold: holdViewOf(await release(ctx, t, hold, 'expired', now)) };
  });
}

/** Expires every open hold that is due (at most `limit` per call, oldest first); for the sweep job and operators. */
export async function expireDueHolds(ctx: Ctx, limit = 500): Promise<{ checked: number; expired: number }> {
  const now = Date.now();
  const due = await ctx.database.table<HoldRow>('holds').whereIn('status', OPEN_HOLD_STATUSES).where('expires_at', '<=', now)
    .orderBy('expires_at').limit(limit).columns('id').all();
  let expired = 0;
  for (const { id } of due) if ((await expireHold(ctx, null, id, now)).expired) expired++;
  return { checked: due.length, expired };
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

// ---- refunds ------------------------------------------------------------------------

/**
 * Refunds part or all of a transfer: its payee (actorId) gives `amountMinor` back to its payer.
 * Refunds of one transfer never pass its amount in total (refund_exceeds_capture), never take
 * the payee below zero (insufficient_funds), and run once per idempotency key.
 */
export function refundTransfer(ctx: Ctx, tx: Tx | null, transferId: string, actorId: string | null, input: Partial<RefundRequest> | Body): Promise<{ result: RefundResult; replayed: boolean }> {
  return refund(ctx, tx, 'transfer', transferId, actorId, input);
}

/** Refunds part or all of what a hold's captures paid its payee; as refundTransfer, bounded by the captured total. */
export function refundHold(ctx: Ctx, tx: Tx | null, holdId: string, actorId: string | null, input: Partial<RefundRequest> | Body): Promise<{ result: RefundResult; replayed: boolean }> {
  return refund(ctx, tx, 'hold', holdId, actorId, input);
}

async function refund(ctx: Ctx, tx: Tx | null, source: RefundSource, sourceId: string, actorId: string | null, input: Partial<RefundRequest> | Body): Promise<{ result: RefundResult; replayed: boolean }> {
  const body = asBody(input);
  const id = checkId(sourceId, source);
  const key = checkKey(body.idempotencyKey);
  const amount = checkAmount(body.amountMinor);
  if (body.currency !== undefined) checkCurrency(ctx.settings.currencies, body.currency);
  const reason = optionalText(body.reason, 'reason');
  const request = { op: 'refund', source, sourceId: id, amountMinor: amount, currency: body.currency, reason };
  const { response, replayed } = await run(ctx, tx, (t) => once(t, ctx.crypto, ownerOf(actorId), key, request, async () => {
    // Lock the refunded object first: concurrent refunds of it queue here, and each sees the ones before.
    let payer: string;
    let payee: string;
    let currency: string;
    let bound: number;
    let already: number;
    if (source === 'transfer') {
      const [transfer] = await t.table<TransferRow>('transfers').where({ id }).forUpdate().all();
      if (!transfer || (actorId !== null && actorId !== transfer.from_user && actorId !== transfer.to_user)) throw new PaymentError('not_found', `No transfer ${id}.`);
      if (actorId !== null && actorId !== transfer.to_user) throw new PaymentError('not_permitted', 'Only the payee of a transfer may refund it.');
      ({ from_user: payer, to_user: payee, currency, amount: bound } = transfer);
      const [sum] = await t.table<RefundRow>('refunds').where({ source_kind: 'transfer', source_id: id }).aggregate({ sum: ['amount'] });
      already = Number(sum?.sum_amount ?? 0);
    } else {
      const hold = await lockHold(t, id);
      checkParty(hold, actorId, ['payee'], 'refund');
      ({ payer, payee, currency, captured: bound, refunded: already } = hold);
    }
    checkSameCurrency(ctx, body.currency, currency);
    if (already + amount > bound) {
      throw new PaymentError('refund_exceeds_capture', `${bound - already} minor units of ${bound} may still be refunded; ${amount} is more.`, { refundableMinor: bound - already, refundedMinor: already });
    }
    const refundId = await ctx.crypto.randomId();
    const posted = await postTransaction(t, ctx.crypto, {
      kind: 'refund', ref: refundId, meta: { source, sourceId: id },
      postings: [{ account: userAccount(payee, currency), currency, amount: -amount }, { account: userAccount(payer, currency), currency, amount }],
    });
    const row: RefundRow = { id: refundId, source_kind: source, source_id: id, from_user: payee, to_user: payer, amount, currency, reason, tx_id: posted.txId, created_at: posted.createdAt };
    await t.table<RefundRow>('refunds').insert(row);
    if (source === 'hold') await t.table<HoldRow>('holds').where({ id }).update({ refunded: already + amount, updated_at: posted.createdAt });
    return { ...refundViewOf(row), txId: posted.txId, refundedMinor: already + amount, refundableMinor: bound - already - amount } satisfies RefundResult;
  }));
  return { result: response, replayed };
}

/** The refunds of a transfer, for its payer or payee. */
export async function transferRefunds(ctx: Ctx, transferId: string, viewerId: string | null): Promise<RefundView[]> {
  const id = checkId(transferId, 'transfer');
  const transfer = await ctx.database.table<TransferRow>('transfers').where({ id }).first();
  if (!transfer || (viewerId !== null && viewerId !== transfer.from_user && viewerId !== transfer.to_user)) throw new PaymentError('not_found', `No transfer ${id}.`);
  return (await ctx.database.table<RefundRow>('refunds').where({ source_kind: 'transfer', source_id: id }).orderBy('tx_id').all()).map(refundViewOf);
}

// ---- jobs -------------------------------------------------------------------------

/** Registers the expiry job and the sweep (in start). */
export async function registerHoldJobs(ctx: Ctx): Promise<void> {
  ctx.scheduler.handle(HOLD_EXPIRY_JOB, async (job) => {
    const holdId = (job.payload as { holdId?: unknown } | null)?.holdId;
    if (typeof holdId !== 'string') return;
    const { expired } = await expireHold(ctx, null, holdId);
    if (expired) ctx.log.info('hold expired', { holdId });
  });
  ctx.scheduler.handle(HOLD_EXPIRY_SWEEP_JOB, async () => {
    const outcome = await expireDueHolds(ctx);
    if (outcome.expired > 0) ctx.log.info('expired overdue holds', outcome);
  });
  await ctx.scheduler.every(HOLD_EXPIRY_SWEEP_JOB, 60_000, { key: HOLD_EXPIRY_SWEEP_JOB });
}

/**
 * What every operation on holds (and refunds.ts) needs: the hold row and how it is shown, the
 * lock and the party check a change of a hold starts with, and how an operation reads its input
 * and runs (in the caller's transaction or its own, once per idempotency key).
 */
import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { checkCurrency } from '../currencies.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';

type Ctx = PluginContext<PaymentsSettings>;
type Tx = DatabaseTransaction;

export type HoldStatus = 'authorized' | 'partially_captured' | 'captured' | 'voided' | 'expired';

/** States in which a hold still has money on it and can be captured, voided or expire. */
export const OPEN_HOLD_STATUSES: readonly HoldStatus[] = ['authorized', 'partially_captured'];

export interface HoldRow {
  id: string;
  payer: string;
  payee: string;
  currency: string;
  amount: number;
  captured: number;
  released: number;
  refunded: number;
  status: HoldStatus;
  description: string | null;
  expires_at: number;
  auth_tx_id: number;
  release_tx_id: number | null;
  created_at: number;
  updated_at: number;
  resolved_at: number | null;
  [c: string]: unknown;
}

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

export type Body = Record<string, unknown>;

export const iso = (ms: number) => new Date(ms).toISOString();

/** Idempotency keys of hold and refund requests live apart from transfer keys (owner column ≤ 80). */
export const ownerOf = (actorId: string | null) => `holds:${actorId ?? '~system'}`;
export const remainingOf = (h: HoldRow) => h.amount - h.captured - h.released;
export const isOpen = (h: HoldRow) => OPEN_HOLD_STATUSES.includes(h.status);

export function holdViewOf(h: HoldRow): HoldView {
  return {
    holdId: h.id,
    status: h.status,
    payer: h.payer,
    payee: h.payee,
    currency: h.currency,
    amountMinor: h.amount,
    capturedMinor: h.captured,
    releasedMinor: h.released,
    refundedMinor: h.refunded,
    remainingMinor: remainingOf(h),
    description: h.description,
    expiresAt: iso(h.expires_at),
    createdAt: iso(h.created_at),
    resolvedAt: h.resolved_at === null ? null : iso(h.resolved_at),
  };
}

/** Ids are UUIDs; anything else names no object (and must not reach a 36-character column). */
export function checkId(id: unknown, what: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 36)
    throw new PaymentError('not_found', `No ${what} ${JSON.stringify(id)}.`);
  return id;
}

export function asBody(body: unknown): Body {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new PaymentError('invalid_payment_request', 'The request must be an object.');
  return body as Body;
}

export function optionalText(value: unknown, what: string, max = 200): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length > max)
    throw new PaymentError('invalid_payment_request', `${what} is a text of at most ${max} characters.`);
  return value;
}

/** A currency named in a capture or refund must be the one of the money it moves. */
export function checkSameCurrency(ctx: Ctx, named: unknown, actual: string): void {
  if (named === undefined) return;
  const currency = checkCurrency(ctx.settings.currencies, named);
  if (currency !== actual)
    throw new PaymentError(
      'currency_mismatch',
      `This payment is in ${actual}; a request in ${currency} cannot move it.`,
      { currency: actual },
    );
}

/** A change that resolves or takes from a hold needs an open one. */
export function checkResolvable(hold: HoldRow, action: string): void {
  if (!isOpen(hold)) {
    throw new PaymentError('invalid_state', `The hold is ${hold.status}; it cannot be ${action}.`, {
      status: hold.status,
    });
  }
}

export async function lockHold(tx: Tx, holdId: string): Promise<HoldRow> {
  const [hold] = await tx.table<HoldRow>('holds').where({ id: holdId }).forUpdate().all();
  if (!hold) throw new PaymentError('not_found', `No hold ${holdId}.`);
  return hold;
}

/** Outside the hold's two parties a hold does not exist; a party without the right is told so. */
export function checkParty(
  hold: HoldRow,
  actorId: string | null,
  allowed: readonly ('payer' | 'payee')[],
  action: string,
): void {
  if (actorId === null) return;
  const role = actorId === hold.payee ? 'payee' : actorId === hold.payer ? 'payer' : null;
  if (role === null) throw new PaymentError('not_found', `No hold ${hold.id}.`);
  if (!allowed.includes(role))
    throw new PaymentError('not_permitted', `Only the ${allowed.join(' or ')} of a hold may ${action} it.`);
}

export async function run<T>(ctx: Ctx, tx: Tx | null, work: (tx: Tx) => Promise<T>): Promise<T> {
  return tx ? work(tx) : ctx.database.transaction(work);
}

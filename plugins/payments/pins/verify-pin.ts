import type { PluginContext } from '../../sdk/index.js';
import { PaymentError } from './payment-error.js';
import type { PaymentsSettings } from './settings.js';

export interface PinRow { user_id: string; hash: string; failures: number; locked_until: number | null; updated_at: number; [c: string]: unknown }

export const PIN = /^\d{4,8}$/;
const PIN_KEY = 'pin-key';

/**
 * A PIN has at most 10^8 values, so no hash makes a stolen one safe to brute-force offline;
 * what protects PINs is the attempt limit, and a key kept apart from the hashes. So a PIN is
 * stored as HMAC-SHA256 under a random key the plugin keeps in its storage (a pepper), which also
 * keeps each confirmation cheap enough for thousands of payments a second (Argon2 costs tens of ms).
 */
async function pinKey(ctx: PluginContext<PaymentsSettings>): Promise<string> {
  const existing = await ctx.storage.get<string>(PIN_KEY);
  if (existing) return existing.value;
  const key = `${await ctx.crypto.randomId()}${await ctx.crypto.randomId()}`;
  await ctx.storage.set(PIN_KEY, key, { ifVersion: 0 }).catch(() => {});
  return (await ctx.storage.get<string>(PIN_KEY))!.value;
}

/** Per run of the plugin (a context is new at every start; hosts in one process each have their own). */
const keys = new WeakMap<object, Promise<string>>();
export async function pinHash(ctx: PluginContext<PaymentsSettings>, userId: string, pin: string): Promise<string> {
  let key = keys.get(ctx);
  if (!key) keys.set(ctx, (key = pinKey(ctx)));
  return ctx.crypto.hmacSha256(await key, `${userId}:${pin}`);
}

/** Equal-time comparison of two hex digests. */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Sets or changes a user's PIN (4–8 digits); changing one needs the current PIN. */
export async function setPin(ctx: PluginContext<PaymentsSettings>, userId: string, pin: unknown, currentPin: unknown): Promise<void> {
  if (typeof pin !== 'string' || !PIN.test(pin)) throw new PaymentError('invalid_payment_request', 'A PIN is 4 to 8 digits.');
  const existing = await ctx.database.table<PinRow>('pins').where({ user_id: userId }).first();
  if (existing) await verifyPin(ctx, userId, currentPin);
  const hash = await pinHash(ctx, userId, pin);
  if (existing) await ctx.database.table('pins').where({ user_id: userId }).update({ hash, failures: 0, locked_until: null, updated_at: Date.now() });
  else await ctx.database.table('pins').insert({ user_id: userId, hash, failures: 0, locked_until: null, updated_at: Date.now() }, { onConflictIgnore: ['user_id'] });
}

/** What an attempt does to a PIN row: allowed or refused, and the row's new failure state. */
export interface PinVerdict { error: PaymentError | null; failures: number; lockedUntil: number | null }

/**
 * One PIN attempt against its row (pure, so transfers can check many PINs inside one batch).
 * Wrong PINs count (a missing or malformed one does not); at settings.pin.maxAttempts the user's payments lock for lockMinutes
 * (pin_locked, with retryAfterMs) and the count starts over. A right PIN clears the count.
 */
export function judgePin(row: PinRow | undefined, attemptHash: string | null, now: number, settings: PaymentsSettings['pin']): PinVerdict {
  if (!row) return { error: new PaymentError('pin_required'), failures: 0, lockedUntil: null };
  if (row.locked_until !== null && row.locked_until > now) {
    return { error: new PaymentError('pin_locked', undefined, { retryAfterMs: row.locked_until - now }), failures: row.failures, lockedUntil: row.locked_until };
  }
  // No PIN at all (the field missing, or not 4–8 digits) is a malformed request, not a guess: it is refused and not counted.
  if (attemptHash === null) return { error: new PaymentError('invalid_payment_request', 'A PIN of 4 to 8 digits is required (`pin`, or `currentPin` to change one); the field is missing or malformed.'), failures: row.failures, lockedUntil: row.locked_until };
  if (attemptHash !== null && sameDigest(attemptHash, row.hash)) return { error: null, failures: 0, lockedUntil: null };
  const failures = row.failures + 1;
  if (failures >= settings.maxAttempts) {
    const lockedUntil = now + settings.lockMinutes * 60_000;
    return { error: new PaymentError('pin_locked', `Wrong PIN ${settings.maxAttempts} times; payments are locked for ${settings.lockMinutes} minutes.`, { retryAfterMs: lockedUntil - now }), failures: 0, lockedUntil };
  }
  return { error: new PaymentError('pin_invalid', undefined, { attemptsLeft: settings.maxAttempts - failures }), failures, lockedUntil: null };
}

/** The HMAC of an attempt, or null for one that is not a PIN at all (refused as malformed, never counted as wrong). */
export async function attemptHash(ctx: PluginContext<PaymentsSettings>, userId: string, pin: unknown): Promise<string | null> {
  return typeof pin === 'string' && PIN.test(pin) ? pinHash(ctx, userId, pin) : null;
}

/**
 * Checks a PIN before money moves. The common case, a right PIN and nothing to reset, is one
 * read; any attempt that changes the row (a wrong PIN, a reset) is judged again under a row lock,
 * so concurrent wrong attempts are each counted.
 */
export async function verifyPin(ctx: PluginContext<PaymentsSettings>, userId: string, pin: unknown): Promise<void> {
  const hash = await attemptHash(ctx, userId, pin);
  const row = await ctx.database.table<PinRow>('pins').where({ user_id: userId }).first();
  const quick = judgePin(row ?? undefined, hash, Date.now(), ctx.settings.pin);
  if (!row || (quick.error === null && row.failures === 0) || quick.error?.code === 'invalid_payment_request' || quick.error?.code === 'pin_locked' && row.locked_until !== null && row.locked_until > Date.now()) {
    if (quick.error) throw quick.error;
    return;
  }
  const verdict = await ctx.database.transaction(async (tx) => {
    const [row] = await tx.table<PinRow>('pins').where({ user_id: userId }).forUpdate().all();
    const v = judgePin(row, hash, Date.now(), ctx.settings.pin);
    if (row && (v.failures !== row.failures || v.lockedUntil !== row.locked_until)) {
      await tx.table('pins').where({ user_id: userId }).update({ failures: v.failures, locked_until: v.lockedUntil });
    }
    return v;
  });
  if (verdict.error) throw verdict.error;
}

import type { PluginContext } from '../../sdk/index.js';
import { PaymentError } from './payment-error.js';
import type { PaymentsSettings } from './settings.js';

interface PinRow { user_id: string; hash: string; failures: number; locked_until: number | null; updated_at: number; [c: string]: unknown }

const PIN = /^\d{4,8}$/;
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
async function pinHash(ctx: PluginContext<PaymentsSettings>, userId: string, pin: string): Promise<string> {
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

/**
 * Checks a PIN before money moves. Wrong PINs count; at settings.pin.maxAttempts the user's
 * payments lock for lockMinutes (pin_locked, with retryAfterMs), and the count starts over.
 */
export async function verifyPin(ctx: PluginContext<PaymentsSettings>, userId: string, pin: unknown): Promise<void> {
  const row = await ctx.database.table<PinRow>('pins').where({ user_id: userId }).first();
  if (!row) throw new PaymentError('pin_required');
  const now = Date.now();
  if (row.locked_until !== null && row.locked_until > now) {
    throw new PaymentError('pin_locked', undefined, { retryAfterMs: row.locked_until - now });
  }
  const ok = typeof pin === 'string' && PIN.test(pin) && sameDigest(await pinHash(ctx, userId, pin), row.hash);
  if (ok) {
    if (row.failures > 0) await ctx.database.table('pins').where({ user_id: userId }).update({ failures: 0 });
    return;
  }
  await ctx.database.table('pins').where({ user_id: userId }).increment('failures', 1);
  const after = await ctx.database.table<PinRow>('pins').where({ user_id: userId }).first();
  const { maxAttempts, lockMinutes } = ctx.settings.pin;
  if (after!.failures >= maxAttempts) {
    const lockedUntil = now + lockMinutes * 60_000;
    await ctx.database.table('pins').where({ user_id: userId }).update({ failures: 0, locked_until: lockedUntil });
    throw new PaymentError('pin_locked', `Wrong PIN ${maxAttempts} times; payments are locked for ${lockMinutes} minutes.`, { retryAfterMs: lockedUntil - now });
  }
  throw new PaymentError('pin_invalid', undefined, { attemptsLeft: maxAttempts - after!.failures });
}

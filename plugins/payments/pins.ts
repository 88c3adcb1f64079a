import type { PluginContext } from '../../sdk/index.js';
import { PaymentError } from './payment-error.js';
import type { PaymentsSettings } from './settings.js';

interface PinRow { user_id: string; hash: string; failures: number; locked_until: number | null; updated_at: number; [c: string]: unknown }

const PIN = /^\d{4,8}$/;

/** Sets or changes a user's PIN (4–8 digits); changing one needs the current PIN. */
export async function setPin(ctx: PluginContext<PaymentsSettings>, userId: string, pin: unknown, currentPin: unknown): Promise<void> {
  if (typeof pin !== 'string' || !PIN.test(pin)) throw new PaymentError('invalid_payment_request', 'A PIN is 4 to 8 digits.');
  const existing = await ctx.database.table<PinRow>('pins').where({ user_id: userId }).first();
  if (existing) await verifyPin(ctx, userId, currentPin);
  const hash = await ctx.crypto.hashSecret(pin);
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
  const ok = typeof pin === 'string' && PIN.test(pin) && (await ctx.crypto.verifySecret(row.hash, pin));
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

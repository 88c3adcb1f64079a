import type { PluginContext } from '../../../sdk/index.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';
import { PIN, type PinRow } from './judge-pin.js';
import type { PinKey } from './pin-key.js';
import { verifyPin } from './verify-pin.js';

/** Sets or changes a user's PIN (4–8 digits); changing one needs the current PIN. */
export async function setPin(
  ctx: PluginContext<PaymentsSettings>,
  pinKey: PinKey,
  userId: string,
  pin: unknown,
  currentPin: unknown,
): Promise<void> {
  if (typeof pin !== 'string' || !PIN.test(pin))
    throw new PaymentError('invalid_payment_request', 'A PIN is 4 to 8 digits.');
  const existing = await ctx.database.table<PinRow>('pins').where({ user_id: userId }).first();
  if (existing) await verifyPin(ctx, pinKey, userId, currentPin);
  const hash = await pinKey.hash(userId, pin);
  if (existing)
    await ctx.database
      .table('pins')
      .where({ user_id: userId })
      .update({ hash, failures: 0, locked_until: null, updated_at: Date.now() });
  else
    await ctx.database
      .table('pins')
      .insert(
        { user_id: userId, hash, failures: 0, locked_until: null, updated_at: Date.now() },
        { onConflictIgnore: ['user_id'] },
      );
}

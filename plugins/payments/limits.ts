import type { DatabaseTransaction, PluginContext } from '../../sdk/index.js';
import { PaymentError } from './payment-error.js';
import type { PaymentsSettings } from './settings.js';

type Ctx = PluginContext<PaymentsSettings>;
/** A row of `daily_usage`: what a person paid out in one currency on one UTC day. */
export interface UsageRow {
  user_id: string;
  day: string;
  currency: string;
  amount: number;
  [c: string]: unknown;
}

/** The UTC day a payment counts in. */
export const day = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** settings.limits.perTransferMinor, for anything that takes money out of a wallet. */
export function checkPerTransfer(ctx: Ctx, amount: number, what = 'A payment'): void {
  const { perTransferMinor } = ctx.settings.limits;
  if (amount > perTransferMinor)
    throw new PaymentError('limit_exceeded', `${what} may be at most ${perTransferMinor} minor units.`, {
      limitMinor: perTransferMinor,
    });
}

/**
 * The one rule of settings.limits.dailyMinor, for every payment that counts against it
 * (transfers, payouts, holds, requests): the refusal when `amount` on top of what the payer
 * already used today in `currency` would pass the limit, or null when it fits.
 */
export function dailyLimitRefusal(
  limits: PaymentsSettings['limits'],
  currency: string,
  usedMinor: number,
  amount: number,
): PaymentError | null {
  const { dailyMinor } = limits;
  if (usedMinor + amount <= dailyMinor) return null;
  return new PaymentError(
    'limit_exceeded',
    `Payments of ${currency} may total at most ${dailyMinor} minor units a day; ${usedMinor} are used.`,
    { limitMinor: dailyMinor, usedMinor },
  );
}

/**
 * Adds `amount` to the payer's usage of the day (settings.limits.dailyMinor), under the usage
 * row's lock in the caller's transaction, so concurrent payments cannot pass the limit together.
 */
export async function spendDaily(
  tx: DatabaseTransaction,
  ctx: Ctx,
  userId: string,
  currency: string,
  amount: number,
  now = Date.now(),
): Promise<void> {
  const where = { user_id: userId, day: day(now), currency };
  await tx.table('daily_usage').insert({ ...where, amount: 0 }, { onConflictIgnore: ['user_id', 'day', 'currency'] });
  const [usage] = await tx.table<UsageRow>('daily_usage').where(where).forUpdate().all();
  const refusal = dailyLimitRefusal(ctx.settings.limits, currency, usage!.amount, amount);
  if (refusal) throw refusal;
  await tx.table('daily_usage').where(where).increment('amount', amount);
}

/** Gives a payment that did not happen (a payout the provider refused) back to the usage of the day it counted in. */
export async function releaseDaily(
  tx: DatabaseTransaction,
  userId: string,
  currency: string,
  amount: number,
  at: number,
): Promise<void> {
  const where = { user_id: userId, day: day(at), currency };
  const [usage] = await tx.table<UsageRow>('daily_usage').where(where).forUpdate().all();
  if (usage)
    await tx
      .table('daily_usage')
      .where(where)
      .update({ amount: Math.max(0, usage.amount - amount) });
}

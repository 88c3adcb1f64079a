import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import type { PaymentsSettings } from '../settings.js';
import { judgePin, type PinRow, type PinVerdict, standsWithoutLock } from './judge-pin.js';
import type { PinKey } from './pin-key.js';

/**
 * Checks a PIN before money moves. The common case, a right PIN and nothing to reset, is one
 * read; any attempt that changes the row (a wrong PIN, a reset) is judged again under a row lock,
 * so concurrent wrong attempts are each counted.
 */
export async function verifyPin(
  ctx: PluginContext<PaymentsSettings>,
  pinKey: PinKey,
  userId: string,
  pin: unknown,
): Promise<void> {
  const hash = await pinKey.attempt(userId, pin);
  const row = await ctx.database.table<PinRow>('pins').where({ user_id: userId }).first();
  const quick = judgePin(row ?? undefined, hash, Date.now(), ctx.settings.pin);
  if (standsWithoutLock(row ?? undefined, quick, Date.now())) {
    if (quick.error) throw quick.error;
    return;
  }
  const { verdict } = await ctx.database.transaction((tx) =>
    judgeUnderLock(tx, userId, hash, Date.now(), ctx.settings.pin),
  );
  if (verdict.error) throw verdict.error;
}

/**
 * Judges an attempt again on the PIN row locked in the caller's transaction, and records what it
 * changes (a failure counted, a lock, a reset). Returns the verdict and the row as it now is.
 */
export async function judgeUnderLock(
  tx: DatabaseTransaction,
  userId: string,
  attemptHash: string | null,
  now: number,
  settings: PaymentsSettings['pin'],
): Promise<{ verdict: PinVerdict; row: PinRow | undefined }> {
  const [row] = await tx.table<PinRow>('pins').where({ user_id: userId }).forUpdate().all();
  const verdict = judgePin(row, attemptHash, now, settings);
  if (!row) return { verdict, row };
  if (verdict.failures !== row.failures || verdict.lockedUntil !== row.locked_until) {
    await tx
      .table<PinRow>('pins')
      .where({ user_id: userId })
      .update({ failures: verdict.failures, locked_until: verdict.lockedUntil });
  }
  return { verdict, row: { ...row, failures: verdict.failures, locked_until: verdict.lockedUntil } };
}

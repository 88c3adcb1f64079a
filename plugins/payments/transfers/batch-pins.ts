import type { DatabaseTransaction } from '../../../sdk/index.js';
import type { PaymentError } from '../payment-error.js';
import { judgePin, type PinRow, standsWithoutLock } from '../pins/judge-pin.js';
import { judgeUnderLock } from '../pins/verify-pin.js';
import type { PaymentsSettings } from '../settings.js';

/**
 * The PINs of a batch of transfers, in arrival order: each transfer's refusal, or null. A right
 * PIN with nothing to reset costs no more than one read for the whole batch; a wrong one (or a
 * reset) is judged again under the row's lock and recorded, so concurrent wrong attempts are
 * each counted, and a later transfer of the same payer in the batch sees the count.
 */
export async function judgeBatchPins(
  tx: DatabaseTransaction,
  settings: PaymentsSettings['pin'],
  now: number,
  transfers: readonly { payerId: string; pinAttempt: string | null }[],
): Promise<(PaymentError | null)[]> {
  const payers = [...new Set(transfers.map((t) => t.payerId))];
  const pins = new Map((await tx.table<PinRow>('pins').whereIn('user_id', payers).all()).map((r) => [r.user_id, r]));
  const refusals: (PaymentError | null)[] = [];
  for (const t of transfers) {
    const row = pins.get(t.payerId);
    const quick = judgePin(row, t.pinAttempt, now, settings);
    if (standsWithoutLock(row, quick, now)) {
      refusals.push(quick.error);
      continue;
    }
    const locked = await judgeUnderLock(tx, t.payerId, t.pinAttempt, now, settings);
    if (locked.row) pins.set(t.payerId, locked.row);
    refusals.push(locked.verdict.error);
  }
  return refusals;
}

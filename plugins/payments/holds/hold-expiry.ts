/**
 * The end of a hold's life: giving back what is left on it (by a void or at expiry), the
 * scheduler job that expires each hold when its time comes, and the sweep that catches any hold
 * whose job was lost.
 */
import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { holdAccount, userAccount } from '../ledger/accounts.js';
import {
  type HoldRow,
  type HoldView,
  holdViewOf,
  isOpen,
  OPEN_HOLD_STATUSES,
  remainingOf,
  run,
} from './hold-records.js';
import { postTransaction } from '../ledger/post-transaction.js';
import type { PaymentsSettings } from '../settings.js';

type Ctx = PluginContext<PaymentsSettings>;
type Tx = DatabaseTransaction;

/** The scheduler job that expires one hold (payload {holdId}), and the sweep that catches any it missed. */
export const HOLD_EXPIRY_JOB = 'hold-expiry';
export const HOLD_EXPIRY_SWEEP_JOB = 'hold-expiry-sweep';

/**
 * Schedules the hold's expiry job (keyed by the hold id, so scheduling again changes nothing).
 * Call it after the transaction that created the hold commits. A failure is logged, not thrown:
 * the hold exists, and the sweep (every minute) expires overdue holds that have no job.
 */
export async function scheduleHoldExpiry(ctx: Ctx, hold: Pick<HoldView, 'holdId' | 'expiresAt'>): Promise<void> {
  try {
    await ctx.scheduler.schedule(HOLD_EXPIRY_JOB, {
      at: hold.expiresAt,
      payload: { holdId: hold.holdId },
      key: `hold-expiry:${hold.holdId}`,
    });
  } catch (err) {
    ctx.log.warn('could not schedule the expiry of a hold; the sweep will expire it', {
      holdId: hold.holdId,
      error: String((err as Error).message),
    });
  }
}

/** Returns what is left on an open hold to its payer, and resolves the hold as `status`. In the caller's transaction, with the hold locked. */
export async function release(
  ctx: Ctx,
  tx: Tx,
  hold: HoldRow,
  status: 'voided' | 'expired',
  now: number,
): Promise<HoldRow> {
  const left = remainingOf(hold);
  let releaseTxId: number | null = hold.release_tx_id;
  if (left > 0) {
    const posted = await postTransaction(tx, ctx.crypto, {
      kind: status === 'voided' ? 'hold_void' : 'hold_expire',
      ref: hold.id,
      meta: { holdId: hold.id },
      postings: [
        { account: holdAccount(hold.id, hold.currency), currency: hold.currency, amount: -left },
        { account: userAccount(hold.payer, hold.currency), currency: hold.currency, amount: left },
      ],
    });
    releaseTxId = posted.txId;
  }
  const released = hold.released + left;
  await tx
    .table<HoldRow>('holds')
    .where({ id: hold.id })
    .update({ released, status, release_tx_id: releaseTxId, updated_at: now, resolved_at: now });
  return { ...hold, released, status, release_tx_id: releaseTxId, updated_at: now, resolved_at: now };
}

/**
 * Expires a hold whose time has come: what is left goes back to the payer, once. Safe to run
 * any number of times and concurrently with captures and voids: the hold row is locked and its
 * state checked, so a resolved hold, or one not yet due at `now`, is left as it is.
 */
export async function expireHold(
  ctx: Ctx,
  tx: Tx | null,
  holdId: string,
  now: number = Date.now(),
): Promise<{ expired: boolean; hold: HoldView | null }> {
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
  const due = await ctx.database
    .table<HoldRow>('holds')
    .whereIn('status', OPEN_HOLD_STATUSES)
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(limit)
    .columns('id')
    .all();
  let expired = 0;
  for (const { id } of due) if ((await expireHold(ctx, null, id, now)).expired) expired++;
  return { checked: due.length, expired };
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

import type { PluginContext } from '../../../sdk/index.js';
import { book, type OperationRow } from './operations.js';
import { PaymentError } from '../payment-error.js';
import type { CardProvider } from '../providers/card-provider.js';
import type { PaymentsSettings } from '../settings.js';

export interface ReconcileOutcome {
  checked: number;
  booked: number;
  abandoned: number;
  declined: number;
  /** Operations that could not be settled this time (they stay pending and are tried again): why. */
  failed: number;
  failures: { operationId: string; code: string; message: string }[];
}

/**
 * Makes the ledger and the provider agree on every operation left pending for longer than
 * `olderThanMs` (by a crash between the steps, or a provider that did not answer): what the
 * provider did is booked once; what it never did is cancelled there and marked abandoned. One
 * operation that cannot be settled (the provider unreachable, a ledger refusal) is reported and
 * left pending; the others are settled all the same.
 */
export async function reconcile(
  ctx: PluginContext<PaymentsSettings>,
  provider: CardProvider,
  olderThanMs: number,
): Promise<ReconcileOutcome> {
  const pending = await ctx.database
    .table<OperationRow>('provider_operations')
    .where({ status: 'pending' })
    .where('created_at', '<=', Date.now() - olderThanMs)
    .orderBy('created_at')
    .limit(1000)
    .all();
  const outcome: ReconcileOutcome = {
    checked: pending.length,
    booked: 0,
    abandoned: 0,
    declined: 0,
    failed: 0,
    failures: [],
  };
  for (const op of pending) {
    try {
      let record = await provider.lookup(op.id);
      if (!record) {
        await provider.cancel(op.id);
        // The cancel raced a late charge only if the provider now shows one; book what it shows.
        record = await provider.lookup(op.id);
      }
      const view = await book(
        ctx,
        provider.name,
        op.id,
        record ?? { ref: '', status: 'canceled', reason: 'never reached the provider' },
      );
      if (view.status === 'succeeded') outcome.booked++;
      else if (view.status === 'declined') outcome.declined++;
      else if (view.status === 'abandoned') outcome.abandoned++;
    } catch (err) {
      outcome.failed++;
      const code = err instanceof PaymentError ? err.code : 'error';
      outcome.failures.push({
        operationId: op.id,
        code,
        message: String((err as Error)?.message ?? err).slice(0, 200),
      });
      ctx.log.error('could not settle a pending provider operation', {
        operationId: op.id,
        code,
        error: String((err as Error)?.message ?? err),
      });
    }
  }
  return outcome;
}

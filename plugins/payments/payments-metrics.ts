import type { MetricCounter, PluginContext } from '../../sdk/index.js';
import { PaymentError } from './payment-error.js';

export type HoldOperation = 'authorize' | 'capture' | 'void' | 'refund';

/**
 * Payments by result on the host's /metrics (ctx.metrics; docs/operators.md lists them):
 * switchboard_plugin_payments_transfers_total{result, code} and
 * switchboard_plugin_payments_holds_total{operation, result, code}. `result` is succeeded,
 * replayed (an idempotent retry: nothing new moved), refused (a PaymentError, its code in `code`,
 * a bounded set) or failed (anything else, code "error"). Counting is skipped when the operator
 * refused the `metrics` permission: payments works the same without it.
 */
export class PaymentsMetrics {
  private readonly transfers: MetricCounter | null;
  private readonly holds: MetricCounter | null;

  constructor(ctx: PluginContext) {
    const on = ctx.permissions.has('metrics');
    this.transfers = on
      ? ctx.metrics.counter({
          name: 'transfers_total',
          help: 'Person-to-person transfers by result (succeeded, replayed, refused, failed) and refusal code.',
          labels: ['result', 'code'],
        })
      : null;
    this.holds = on
      ? ctx.metrics.counter({
          name: 'holds_total',
          help: 'Hold operations (authorize, capture, void, refund) by result and refusal code.',
          labels: ['operation', 'result', 'code'],
        })
      : null;
  }

  transfer<T>(work: Promise<T>): Promise<T> {
    return counted(this.transfers, {}, work);
  }

  hold<T>(operation: HoldOperation, work: Promise<T>): Promise<T> {
    return counted(this.holds, { operation }, work);
  }
}

async function counted<T>(counter: MetricCounter | null, labels: Record<string, string>, work: Promise<T>): Promise<T> {
  try {
    const done = await work;
    const replayed = (done as { replayed?: unknown } | null)?.replayed === true;
    counter?.inc({ ...labels, result: replayed ? 'replayed' : 'succeeded', code: 'none' });
    return done;
  } catch (err) {
    counter?.inc(
      err instanceof PaymentError
        ? { ...labels, result: 'refused', code: err.code }
        : { ...labels, result: 'failed', code: 'error' },
    );
    throw err;
  }
}

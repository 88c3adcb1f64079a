import type { MetricCounter, MetricHistogram, PluginContext } from '../../../sdk/index.js';

/** What became of one try: delivered (2xx), retried later, or dead (out of tries, or no webhook any more). */
export type DeliveryOutcome = 'delivered' | 'retried' | 'dead';

/**
 * Webhook deliveries on the host's /metrics (ctx.metrics; docs/operators.md lists them):
 * switchboard_plugin_business_webhook_deliveries_total{outcome} counts each try by what became of
 * it, and switchboard_plugin_business_webhook_delivery_seconds{outcome} times its POST. Nothing is
 * counted when the operator refused the `metrics` permission: deliveries work the same without it.
 */
export class WebhookMetrics {
  private readonly tries: MetricCounter | null;
  private readonly seconds: MetricHistogram | null;

  constructor(ctx: PluginContext) {
    const on = ctx.permissions.has('metrics');
    this.tries = on
      ? ctx.metrics.counter({
          name: 'webhook_deliveries_total',
          help: 'Tries of webhook deliveries by outcome (delivered, retried, dead).',
          labels: ['outcome'],
        })
      : null;
    this.seconds = on
      ? ctx.metrics.histogram({
          name: 'webhook_delivery_seconds',
          help: "How long a webhook delivery's POST took, by outcome.",
          labels: ['outcome'],
          buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        })
      : null;
  }

  /** `seconds`: how long the POST took, or null when none was sent. */
  tried(outcome: DeliveryOutcome, seconds: number | null): void {
    this.tries?.inc({ outcome });
    if (seconds !== null) this.seconds?.observe({ outcome }, seconds);
  }
}

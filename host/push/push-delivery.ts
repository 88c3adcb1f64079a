import type { Knex } from 'knex';
import type { PushConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import type { PushMetrics } from '../metrics/push-metrics.js';
import { checkEndpoint } from './push-endpoint.js';
import type { PushPayload } from './push-payload.js';
import { push } from './push-sender.js';
import { forgetSubscription, type SubscriptionRow } from './push-subscriptions.js';
import type { VapidDetails } from './vapid-keys.js';

/** One push waiting to go: to one browser. */
export interface Delivery {
  subscription: SubscriptionRow;
  payload: PushPayload;
}

/**
 * One push to one browser, and what its outcome does: counted (switchboard_push_sends_total),
 * a failure logged, a subscription the browser dropped deleted.
 */
export class PushDelivery {
  constructor(
    private readonly knex: Knex,
    private readonly config: PushConfig,
    private readonly metrics: PushMetrics,
    private readonly log: Logger,
  ) {}

  async deliver({ subscription, payload }: Delivery, vapid: VapidDetails): Promise<void> {
    const local = this.admitted(subscription.endpoint);
    const attempt =
      local === null
        ? { outcome: 'failed' as const, detail: 'the endpoint is not admitted (push.allowLocalEndpoints changed?)' }
        : await push(subscription, JSON.stringify(payload), {
            vapid,
            ttlSeconds: this.config.ttlSeconds,
            urgency: payload.type === 'direct_message' || payload.type === 'mention' ? 'high' : 'normal',
            timeoutMs: this.config.timeoutMs,
            local,
          });
    this.metrics.sent(attempt.outcome);
    if (attempt.outcome === 'sent') return;
    const where = {
      subscription: subscription.id,
      user: subscription.user_id,
      origin: originOf(subscription.endpoint),
    };
    if (attempt.outcome === 'gone') {
      this.log.info({ ...where, detail: attempt.detail }, 'push subscription gone; deleted');
      await forgetSubscription(this.knex, subscription.id).catch((err: unknown) =>
        this.log.error({ err, ...where }, 'could not delete a push subscription that is gone'),
      );
    } else this.log.warn({ ...where, outcome: attempt.outcome, detail: attempt.detail }, 'push failed');
  }

  /**
   * Checked again at each push, as the config may have changed since it was stored: whether it is
   * a loopback endpoint push.allowLocalEndpoints admits, or null when it is not admitted now.
   */
  private admitted(endpoint: string): boolean | null {
    try {
      return checkEndpoint(endpoint, this.config.allowLocalEndpoints).local;
    } catch {
      // The refusal is the answer: this endpoint gets no push under the current config.
      return null;
    }
  }
}

/** The push service's origin, for logs: the rest of an endpoint identifies the browser. */
function originOf(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    // Stored endpoints were parsed when subscribed; this keeps a log line from failing regardless.
    return 'unparsable';
  }
}

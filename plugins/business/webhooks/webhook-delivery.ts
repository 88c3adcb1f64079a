import { errorCodeOf, GroupCommitQueue, OUTBOUND_LIMITS, type PluginContext } from '../../../sdk/index.js';
import type { BusinessStore } from '../businesses/business-store.js';
import type { BusinessSettings } from '../settings.js';
import { WebhookMetrics } from './webhook-metrics.js';

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';
export interface DeliveryRow {
  id: string;
  business_id: string;
  url: string;
  body: string;
  event_count: number;
  status: DeliveryStatus;
  attempts: number;
  next_at: number;
  lease_until: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
  [c: string]: unknown;
}
type Outcome = Pick<
  DeliveryRow,
  'id' | 'status' | 'attempts' | 'next_at' | 'lease_until' | 'last_error' | 'delivered_at'
>;
/** The lease a send was claimed under: an outcome is recorded only while the row still holds it. */
type Claimed = Pick<DeliveryRow, 'id' | 'lease_until'>;

/** A trusted plugin's share of requests in flight in the host: more would wait there, on their own timeout. */
const MAX_CONCURRENT_POSTS = OUTBOUND_LIMITS.inFlightPerPlugin;
const SWEEP_BATCH = 200;
const KEEP_DELIVERED_MS = 7 * 24 * 60 * 60 * 1000;
const PURGE_EVERY_MS = 60_000;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, the same scheme the host checks on signed routes. */
export async function signatureHeader(
  ctx: PluginContext,
  secret: string,
  body: string,
  now = Date.now(),
): Promise<string> {
  const t = Math.floor(now / 1000);
  return `t=${t},v1=${await ctx.crypto.hmacSha256(secret, `${t}.${body}`)}`;
}

/** Sends one signed POST; resolves with the failure, or null when the receiver answered 2xx. */
export async function post(
  ctx: PluginContext,
  url: string,
  secret: string,
  deliveryId: string,
  body: string,
  timeoutMs: number,
): Promise<string | null> {
  try {
    const response = await ctx.http.fetch(url, {
      method: 'POST',
      body,
      timeoutMs,
      headers: {
        'content-type': 'application/json',
        'x-switchboard-delivery': deliveryId,
        'x-switchboard-signature': await signatureHeader(ctx, secret, body),
      },
    });
    return response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
  } catch (err) {
    return `${errorCodeOf(err) ?? 'error'}: ${String((err as Error)?.message ?? err)}`.slice(0, 500);
  }
}

/**
 * Sends stored deliveries and records how each went: delivered; retried later with exponential
 * backoff (the same delivery id and body each time, so a receiver dedupes on the id); or, after
 * settings.webhooks.maxAttempts, dead, until an operator or the business replays it. A host
 * claims a delivery with a lease before sending it, so one send is in flight at a time even with
 * several hosts sweeping.
 */
export class WebhookSender {
  private posting = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly delivered: GroupCommitQueue<Outcome>;
  private purgedAt = 0;
  private readonly metrics: WebhookMetrics;

  constructor(
    private readonly ctx: PluginContext<BusinessSettings>,
    private readonly businesses: BusinessStore,
  ) {
    this.delivered = new GroupCommitQueue<Outcome>({ commit: (rows) => this.recordDelivered(rows), maxBatch: 512 });
    this.metrics = new WebhookMetrics(ctx);
  }

  private get settings() {
    return this.ctx.settings.webhooks;
  }
  get leaseMs(): number {
    return this.settings.timeoutMs + 5_000;
  }

  /** Sends a delivery this host has claimed; never throws (failures are recorded on the row). */
  async send(row: DeliveryRow): Promise<void> {
    await this.slot();
    try {
      // A send that waited for a slot until its lease nearly ran out is left to the next claim.
      if (Date.now() > row.lease_until - this.settings.timeoutMs) return;
      // Each try goes to the business's webhook as it is now, signed with its current secret.
      const b = await this.businesses.recent(row.business_id);
      if (b.webhook_url === null || b.webhook_secret === null) {
        await this.recordFailure(row, { ...this.outcomeOf(row, 'the business removed its webhook'), status: 'dead' });
        this.metrics.tried('dead', null);
        return;
      }
      const started = performance.now();
      const failure = await post(this.ctx, b.webhook_url, b.webhook_secret, row.id, row.body, this.settings.timeoutMs);
      const seconds = (performance.now() - started) / 1000;
      const outcome = this.outcomeOf(row, failure);
      if (outcome.status === 'delivered') await this.delivered.push(outcome);
      else await this.recordFailure(row, outcome);
      this.metrics.tried(outcome.status === 'pending' ? 'retried' : outcome.status, seconds);
    } catch (err) {
      this.ctx.log.error('could not record a webhook delivery', {
        deliveryId: row.id,
        error: String((err as Error)?.message ?? err),
      });
    } finally {
      this.release();
    }
  }

  private outcomeOf(row: DeliveryRow, failure: string | null): Outcome {
    const now = Date.now();
    const attempts = row.attempts + 1;
    if (failure === null)
      return {
        id: row.id,
        status: 'delivered',
        attempts,
        next_at: row.next_at,
        lease_until: row.lease_until,
        last_error: null,
        delivered_at: now,
      };
    const dead = attempts >= this.settings.maxAttempts;
    const backoff = Math.min(this.settings.backoffMs * 2 ** (attempts - 1), this.settings.maxBackoffMs);
    // Up to a quarter of jitter (within maxBackoffMs), so that retries of many deliveries do not arrive together.
    const next = now + Math.min(Math.round(backoff * (1 + Math.random() / 4)), this.settings.maxBackoffMs);
    if (dead)
      this.ctx.log.warn('webhook delivery dead-lettered', {
        deliveryId: row.id,
        businessId: row.business_id,
        attempts,
        error: failure,
      });
    return {
      id: row.id,
      status: dead ? 'dead' : 'pending',
      attempts,
      next_at: dead ? row.next_at : next,
      lease_until: 0,
      last_error: failure,
      delivered_at: null,
    };
  }

  /** Successes, many at once; `lease_until` is part of the key, so a row claimed again since is left alone. */
  private async recordDelivered(rows: Outcome[]): Promise<void> {
    await this.ctx.database.table<DeliveryRow>('webhook_deliveries').updateEach(['id', 'lease_until'], rows);
  }

  /** A failure frees the row for its retry at next_at (or ends it), if it still holds this send's lease. */
  private async recordFailure(claimed: Claimed, outcome: Outcome): Promise<void> {
    const { id: _id, ...patch } = outcome;
    await this.ctx.database
      .table<DeliveryRow>('webhook_deliveries')
      .where({ id: claimed.id, lease_until: claimed.lease_until })
      .update(patch);
  }

  /**
   * Claims and sends the pending deliveries that are due and not leased by a live host: retries,
   * replays, and the sends of a host that stopped mid-way. Runs every second (scheduler job).
   */
  async sweep(): Promise<number> {
    const now = Date.now();
    const table = () => this.ctx.database.table<DeliveryRow>('webhook_deliveries');
    // No more than there are free slots: a claimed delivery's lease runs while it waits for one.
    const free = Math.min(SWEEP_BATCH, MAX_CONCURRENT_POSTS - this.posting - this.waiting.length);
    const due =
      free <= 0
        ? []
        : await table()
            .where({ status: 'pending' })
            .where('next_at', '<=', now)
            .where('lease_until', '<', now)
            .orderBy('next_at')
            .limit(free)
            .all();
    let claimed = 0;
    for (const row of due) {
      const lease = now + this.leaseMs;
      if (
        (await table()
          .where({ id: row.id, status: 'pending', lease_until: row.lease_until, attempts: row.attempts })
          .update({ lease_until: lease })) === 0
      )
        continue;
      claimed++;
      void this.send({ ...row, lease_until: lease });
    }
    if (now - this.purgedAt > PURGE_EVERY_MS) {
      this.purgedAt = now;
      await table()
        .where({ status: 'delivered' })
        .where('delivered_at', '<', now - KEEP_DELIVERED_MS)
        .delete();
    }
    return claimed;
  }

  /** A dead delivery goes out again, as it was, under the same id; false when there is no dead one by that id. */
  async replay(deliveryId: string, businessId?: string): Promise<boolean> {
    const q = this.ctx.database.table<DeliveryRow>('webhook_deliveries').where({ id: deliveryId, status: 'dead' });
    if (businessId !== undefined) q.where({ business_id: businessId });
    const changed = await q.update({
      status: 'pending',
      attempts: 0,
      next_at: Date.now(),
      lease_until: 0,
      last_error: null,
    });
    if (changed > 0) {
      // Sent now rather than at the next scheduled sweep; if this one fails, that sweep (every second) still sends it.
      void this.sweep().catch((err: unknown) =>
        this.ctx.log.warn('the sweep after a replay failed', {
          deliveryId,
          error: String((err as Error)?.message ?? err),
        }),
      );
    }
    return changed > 0;
  }

  private async slot(): Promise<void> {
    if (this.posting < MAX_CONCURRENT_POSTS) {
      this.posting++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.posting--;
  }
}

export const deliveryView = (d: DeliveryRow) => ({
  deliveryId: d.id,
  businessId: d.business_id,
  url: d.url,
  status: d.status,
  attempts: d.attempts,
  events: d.event_count,
  lastError: d.last_error,
  createdAt: new Date(d.created_at).toISOString(),
  deliveredAt: d.delivered_at === null ? null : new Date(d.delivered_at).toISOString(),
  nextAttemptAt: d.status === 'pending' ? new Date(d.next_at).toISOString() : null,
});

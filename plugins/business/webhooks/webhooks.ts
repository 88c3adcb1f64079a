import { GroupCommitQueue, type PluginContext } from '../../../sdk/index.js';
import { BusinessError } from '../business-error.js';
import type { BusinessStore } from '../businesses/business-store.js';
import type { BusinessRow } from '../businesses/businesses.js';
import type { BusinessSettings } from '../settings.js';
import { post, WebhookSender, type DeliveryRow } from './webhook-delivery.js';

/** One thing that happened, as a business's backend receives it inside a delivery's `events`. */
export interface WebhookEvent {
  type: string;
  at: string;
  threadId?: string;
  [field: string]: unknown;
}
interface Queued {
  businessId: string;
  url: string;
  event: WebhookEvent;
}

/** Events per delivery at most: a burst for one business goes out in a few POSTs, not thousands. */
const MAX_EVENTS_PER_DELIVERY = 100;

/**
 * A business's webhook: events are stored as deliveries (a group commit per burst), then sent
 * signed, at once, by the host that stored them. A delivery is
 * `{ deliveryId, businessId, events: [...] }`; its id stays the same across retries.
 */
export class Webhooks {
  readonly sender: WebhookSender;
  private readonly queue: GroupCommitQueue<Queued>;

  constructor(
    private readonly ctx: PluginContext<BusinessSettings>,
    private readonly businesses: BusinessStore,
  ) {
    this.sender = new WebhookSender(ctx, businesses);
    this.queue = new GroupCommitQueue<Queued>({ commit: (items) => this.store(items), maxBatch: 1024, maxInFlight: 2 });
  }

  /** Queues an event for the business's webhook (nothing, when it has none); resolves once stored. */
  async emit(b: BusinessRow, type: string, fields: Omit<WebhookEvent, 'type' | 'at'>): Promise<void> {
    if (b.webhook_url === null) return;
    await this.queue.push({
      businessId: b.id,
      url: b.webhook_url,
      event: { type, at: new Date().toISOString(), ...fields },
    });
  }

  private async store(items: Queued[]): Promise<void> {
    const now = Date.now();
    const groups = new Map<string, Queued[]>();
    for (const item of items) {
      const group = groups.get(item.businessId);
      if (group) group.push(item);
      else groups.set(item.businessId, [item]);
    }
    const rows: DeliveryRow[] = [];
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += MAX_EVENTS_PER_DELIVERY) {
        const events = group.slice(i, i + MAX_EVENTS_PER_DELIVERY);
        const id = await this.ctx.crypto.randomId();
        const body = JSON.stringify({
          deliveryId: id,
          businessId: events[0]!.businessId,
          events: events.map((e) => e.event),
        });
        rows.push({
          id,
          business_id: events[0]!.businessId,
          url: events[0]!.url,
          body,
          event_count: events.length,
          status: 'pending',
          attempts: 0,
          next_at: now,
          lease_until: now + this.sender.leaseMs,
          last_error: null,
          created_at: now,
          delivered_at: null,
        });
      }
    }
    await this.ctx.database.table<DeliveryRow>('webhook_deliveries').insert(rows);
    for (const row of rows) void this.sender.send(row);
  }

  /**
   * Sets (or replaces) the business's webhook. The URL must answer a signed `ping` delivery with
   * a 2xx before it is saved, and each setting makes a new secret, returned only now.
   */
  async configure(b: BusinessRow, url: unknown): Promise<{ url: string; secret: string }> {
    if (typeof url !== 'string' || url.length > 2000 || !/^https?:\/\/[^\s/]+/.test(url))
      throw new BusinessError('invalid_business_request', 'url is an http(s) URL of at most 2000 characters.');
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new BusinessError('invalid_business_request', 'url is not a valid http(s) URL.');
    }
    // Deliveries are signed with the secret instead; a password in a URL would be stored and shown in the settings.
    if (parsed.username !== '' || parsed.password !== '')
      throw new BusinessError(
        'invalid_business_request',
        'Credentials in webhook URLs (user:password@) are not allowed; check the signature (x-switchboard-signature) instead.',
      );
    const secret = `whsec_${(await this.ctx.crypto.randomId()).replace(/-/g, '')}`;
    const deliveryId = await this.ctx.crypto.randomId();
    const body = JSON.stringify({
      deliveryId,
      businessId: b.id,
      events: [{ type: 'ping', at: new Date().toISOString() }],
    });
    const failure = await post(this.ctx, url, secret, deliveryId, body, this.ctx.settings.webhooks.timeoutMs);
    if (failure?.startsWith('permission_denied') || failure?.includes('private address'))
      throw new BusinessError(
        'webhook_url_not_allowed',
        `The operator does not allow webhooks to ${new URL(url).host}.`,
      );
    if (failure !== null)
      throw new BusinessError('webhook_unreachable', `The webhook did not answer the ping with a 2xx: ${failure}`);
    await this.businesses.update(b, { webhook_url: url, webhook_secret: secret });
    return { url, secret };
  }

  async remove(b: BusinessRow): Promise<void> {
    await this.businesses.update(b, { webhook_url: null, webhook_secret: null });
  }
}

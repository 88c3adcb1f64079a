import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { StoredPushSubscription } from '../../sdk/protocol/push.js';
import type { HostConfig, PushConfig } from '../config/host-config.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import { isoTime } from '../core/iso-time.js';
import type { Database } from '../db/open-database.js';
import { readSettings, writeSettings, type NotificationSettings } from './notification-settings.js';
import { PushDispatcher } from './push-dispatcher.js';
import { checkEndpoint } from './push-endpoint.js';
import { addSubscription, checkKeys, removeSubscription, type SubscriptionInput } from './push-subscriptions.js';

/** The push routes' side of the host (docs/protocol.md, "Push notifications"). */
@injectable()
export class PushApi {
  private readonly config: PushConfig;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(PushDispatcher) private readonly dispatcher: PushDispatcher,
  ) {
    this.config = config.push;
  }

  /** The application server key browsers pass to PushManager.subscribe(). */
  vapidKey(): { publicKey: string } {
    const publicKey = this.dispatcher.publicKey;
    if (publicKey === null) throw new SwitchboardError('push_disabled');
    return { publicKey };
  }

  async subscribe(userId: string, input: SubscriptionInput): Promise<StoredPushSubscription> {
    this.vapidKey();
    checkEndpoint(input.endpoint, this.config.allowLocalEndpoints);
    checkKeys(input.keys);
    const row = await addSubscription(
      this.db.knex,
      userId,
      input,
      this.config.maxSubscriptionsPerUser,
      this.clock.now(),
    );
    return { id: row.id, endpoint: row.endpoint, createdAt: isoTime(row.created_at) };
  }

  /** Idempotent: a browser may unsubscribe twice (once per tab). */
  async unsubscribe(userId: string, endpoint: string): Promise<void> {
    this.vapidKey();
    await removeSubscription(this.db.knex, userId, endpoint);
  }

  settings(userId: string): Promise<NotificationSettings> {
    this.vapidKey();
    return readSettings(this.db.knex, userId);
  }

  updateSettings(userId: string, settings: NotificationSettings): Promise<NotificationSettings> {
    this.vapidKey();
    return writeSettings(this.db.knex, userId, settings, this.clock.now());
  }
}

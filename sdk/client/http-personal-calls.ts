import type { BlockedUser, BlocksQuery, BlocksResult } from '../protocol/blocks.js';
import type { NotificationSettings, PushSubscriptionJson, StoredPushSubscription } from '../protocol/push.js';
import { ContentCalls, queryOf } from './http-content-calls.js';

/**
 * The calls about the caller alone: their browsers' push subscriptions, whom they block, and
 * their notification settings. HttpApi makes the requests; its public API is these, ContentCalls'
 * and its own.
 */
export abstract class PersonalCalls extends ContentCalls {
  /** The VAPID public key to pass to PushManager.subscribe() as applicationServerKey (`push_disabled` when push is off). */
  async vapidKey(): Promise<string> {
    return (await this.request<{ publicKey: string }>('GET', '/v1/push/vapid-key')).publicKey;
  }

  /** Stores a browser's push subscription (`subscription.toJSON()`) for the caller. */
  subscribePush(subscription: PushSubscriptionJson): Promise<StoredPushSubscription> {
    return this.request('POST', '/v1/push/subscriptions', {
      endpoint: subscription.endpoint,
      keys: { p256dh: subscription.keys.p256dh, auth: subscription.keys.auth },
    });
  }

  /** Forgets a browser's subscription (no error if it was not stored). */
  unsubscribePush(endpoint: string): Promise<void> {
    return this.request('DELETE', '/v1/push/subscriptions', { endpoint });
  }

  /** Whom I block, newest first, all at once; `block`, `unblock`: see client.blocks, which keeps the list. */
  async blocks(): Promise<BlockedUser[]> {
    return (await this.blockPage()).blocks;
  }
  /** Whom I block, a page at a time (`limit`, then `cursor: nextCursor`). */
  blockPage(query: BlocksQuery = {}): Promise<BlocksResult> {
    return this.request('GET', `/v1/me/blocks${queryOf({ ...query })}`);
  }
  block(userId: string): Promise<BlockedUser> {
    return this.request('PUT', `/v1/me/blocks/${encodeURIComponent(userId)}`);
  }
  unblock(userId: string): Promise<void> {
    return this.request('DELETE', `/v1/me/blocks/${encodeURIComponent(userId)}`);
  }

  notificationSettings(): Promise<NotificationSettings> {
    return this.request('GET', '/v1/me/notification-settings');
  }

  /** Sets (or, with `quietHours: null`, clears) the caller's quiet hours. */
  setNotificationSettings(settings: NotificationSettings): Promise<NotificationSettings> {
    return this.request('PUT', '/v1/me/notification-settings', settings);
  }
}

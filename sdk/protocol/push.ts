/** Wire types of Web Push (docs/protocol.md, "Push notifications"). */

/** A browser's subscription as PushSubscription.toJSON() gives it: what POST /v1/push/subscriptions takes. */
export interface PushSubscriptionJson {
  readonly endpoint: string;
  /** What toJSON() adds; accepted and not used. */
  readonly expirationTime?: number | null;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

/** What POST /v1/push/subscriptions answers. */
export interface StoredPushSubscription {
  readonly id: string;
  readonly endpoint: string;
  readonly createdAt: string;
}

/** Local times ("HH:MM", 24-hour) in an IANA time zone; across midnight when end is before start. */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
}

/** GET and PUT /v1/me/notification-settings. */
export interface NotificationSettings {
  readonly quietHours: QuietHours | null;
}

/** Why a notification was sent. */
export type PushReason = 'direct_message' | 'mention' | 'thread_reply' | 'assignment' | 'plugin';

/** The JSON a service worker's `push` event carries (`event.data.json()`), once the browser decrypted it. */
export interface PushPayload {
  readonly type: PushReason;
  /** null for a plugin's notification about no conversation. */
  readonly conversationId: string | null;
  /** The message it is about; null for a plugin's notification. */
  readonly messageId: string | null;
  readonly title: string;
  /** A text message's first 120 characters; a generic line for anything else. */
  readonly body: string;
  /** The page to open on a click, a path on the host (e.g. "/c/<conversationId>"). */
  readonly url: string;
}

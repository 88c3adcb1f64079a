import webpush from 'web-push';
import { sendRequest } from '../outbound/outbound-exchange.js';
import { publicLookup } from '../outbound/public-lookup.js';
import type { SubscriptionRow } from './push-subscriptions.js';
import type { VapidDetails } from './vapid-keys.js';

/** How one push went, as switchboard_push_sends_total counts it. */
export type PushOutcome = 'sent' | 'gone' | 'rejected' | 'failed';

export interface PushAttempt {
  readonly outcome: PushOutcome;
  /** The push service's status, or why there was none. */
  readonly detail: string;
}

export interface PushOptions {
  readonly vapid: VapidDetails;
  readonly ttlSeconds: number;
  readonly urgency: 'normal' | 'high';
  readonly timeoutMs: number;
  /** A loopback endpoint push.allowLocalEndpoints let in; others must resolve to public addresses. */
  readonly local: boolean;
}

/** Refuses a push service's name that resolves inside the network (DNS rebinding included). */
const pushServiceLookup = publicLookup(
  (hostname, address, range) =>
    `${hostname} resolves to the private address ${address} (${range}), which the host does not push to`,
);

/**
 * One push (RFC 8030): web-push encrypts the payload (aes128gcm, RFC 8291) and signs the VAPID
 * header (RFC 8292); the POST goes out through the outbound exchange plugins' http.fetch uses
 * too, which caps the answer and keeps one deadline; for a name, the lookup refuses one that lands
 * on a private address. 404 and 410 mean the browser unsubscribed: the subscription is gone.
 */
export async function push(subscription: SubscriptionRow, payload: string, options: PushOptions): Promise<PushAttempt> {
  let details: ReturnType<typeof webpush.generateRequestDetails>;
  try {
    details = webpush.generateRequestDetails(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      payload,
      {
        vapidDetails: options.vapid,
        TTL: options.ttlSeconds,
        urgency: options.urgency,
        contentEncoding: 'aes128gcm',
      },
    );
  } catch (err) {
    return { outcome: 'failed', detail: `could not encrypt or sign: ${(err as Error).message}` };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(details.headers)) headers[name.toLowerCase()] = String(value);
  try {
    const answer = await sendRequest(
      { url: new URL(details.endpoint), method: 'POST', headers, body: details.body, timeoutMs: options.timeoutMs },
      options.local ? undefined : pushServiceLookup,
    );
    if (answer.status >= 200 && answer.status < 300) return { outcome: 'sent', detail: `HTTP ${answer.status}` };
    if (answer.status === 404 || answer.status === 410) return { outcome: 'gone', detail: `HTTP ${answer.status}` };
    return { outcome: 'rejected', detail: `HTTP ${answer.status}: ${answer.body.slice(0, 200)}` };
  } catch (err) {
    return { outcome: 'failed', detail: (err as Error).message };
  }
}

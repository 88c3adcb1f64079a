import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { PushSubscriptionJson } from '../../../sdk/protocol/push.js';
import { LocalError } from '../i18n/local-error';
import { cachedVapidKey, freshVapidKey } from './vapid-key-cache';

/** The service worker (web/public/sw.js): served unhashed at the root, so its scope is the whole app. */
const WORKER_URL = '/sw.js';

/** Whether this browser can receive Web Push at all (a secure page, a service worker, PushManager). */
export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && typeof PushManager !== 'undefined' && typeof Notification !== 'undefined';
}

/** The VAPID key as PushManager.subscribe() takes it: base64url text to bytes. */
function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** This browser's subscription, as the browser keeps it: no request to the host. */
export async function localSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration(WORKER_URL);
  return (await registration?.pushManager.getSubscription()) ?? null;
}

function madeWith(subscription: PushSubscription, vapidKey: string): boolean {
  const used = subscription.options?.applicationServerKey;
  if (!used) return true;
  const expected = keyBytes(vapidKey);
  return used.byteLength === expected.byteLength && new Uint8Array(used).every((b, i) => b === expected[i]);
}

/**
 * This browser's subscription, if it has one made with the host's key. One made with an older key
 * is dead (push services refuse pushes signed with another): it is ended, and the person turns
 * notifications on again. The key kept for the tab is asked again before ending one, as another tab
 * may have subscribed with a newer key.
 */
export async function currentSubscription(client: SwitchboardClient): Promise<PushSubscription | null> {
  const subscription = await localSubscription();
  if (!subscription) return null;
  const cached = cachedVapidKey();
  if (cached !== null && madeWith(subscription, cached)) return subscription;
  if (madeWith(subscription, await freshVapidKey(client))) return subscription;
  await subscription.unsubscribe();
  return null;
}

/**
 * Asks the person (the browser's prompt), registers the service worker, subscribes with the host's
 * VAPID key and gives the subscription to the host. Answers the permission the person gave.
 */
export async function subscribe(client: SwitchboardClient): Promise<NotificationPermission> {
  // Asked afresh: a subscription made with a key the host no longer has would never get a push.
  const key = await freshVapidKey(client);
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission;
  let subscription: PushSubscription;
  try {
    await navigator.serviceWorker.register(WORKER_URL);
    const registration = await navigator.serviceWorker.ready;
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: keyBytes(key),
    });
  } catch {
    // The browser's own refusal (a private window, no push service, its service unreachable): a
    // DOMException, whose code no catalog knows; said in words rather than "Something went wrong".
    throw new LocalError('notifications.error.browser');
  }
  await client.http.subscribePush(subscription.toJSON() as PushSubscriptionJson);
  return permission;
}

/** Ends this browser's subscription, at the host and in the browser. */
export async function unsubscribe(client: SwitchboardClient): Promise<void> {
  const subscription = await localSubscription();
  if (!subscription) return;
  await client.http.unsubscribePush(subscription.endpoint);
  await subscription.unsubscribe();
}

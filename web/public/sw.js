/*
 * The web client's service worker: it shows the host's push notifications (docs/protocol.md,
 * "Push notifications") and opens the conversation when one is clicked. Served at /sw.js, unhashed,
 * so the registration's scope is the whole app. Plain JavaScript: it is not bundled.
 */

// The tab that turned notifications on is not controlled until it reloads; WindowClient.navigate()
// works only on controlled tabs, so the worker takes the open tabs over as soon as it is active.
self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener('push', (event) => {
  let data = null;
  try {
    data = event.data ? event.data.json() : null;
  } catch {
    // Not the host's JSON: nothing to show.
  }
  if (!data || typeof data.title !== 'string') return;
  const tag = typeof data.conversationId === 'string' && data.conversationId !== '' ? data.conversationId : undefined;
  event.waitUntil(
    self.registration.showNotification(data.title, {
      body: typeof data.body === 'string' ? data.body : '',
      // One notification per conversation: a newer message replaces the older one, and still alerts.
      tag,
      renotify: tag !== undefined,
      data: { url: typeof data.url === 'string' ? data.url : '/' },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(event.notification.data?.url ?? '/', self.location.origin);
  // Only pages of this host: a payload cannot send the person elsewhere.
  const url = target.origin === self.location.origin ? target.href : self.location.origin + '/';
  event.waitUntil(showPage(url));
});

/** Brings a tab of the app to the front at `url`: one already there, else the focused one or any, else a new one. */
async function showPage(url) {
  const tabs = await self.clients.matchAll({ type: 'window' });
  const there = tabs.find((tab) => tab.url === url);
  if (there) return there.focus();
  const tab = tabs.find((t) => t.focused) ?? tabs[0];
  if (!tab) return self.clients.openWindow(url);
  // Focus is asked at once, while the click still allows it; a refusal does not stop the navigation.
  const focused = tab.focus().catch(() => null);
  const shown = await tab.navigate(url);
  await focused;
  return shown;
}

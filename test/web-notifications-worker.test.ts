/**
 * The service worker itself (web/public/sw.js), registered by the web client's page: a push the
 * host really made (decrypted by the test's push service, as the browser would) is delivered to it
 * through the DevTools protocol (ServiceWorker.deliverPushMessage, the path a push service's message
 * takes inside Chromium), and a click on the notification it shows is dispatched in the worker.
 * A NotificationEvent made by script does not let the worker focus or open windows (Chromium grants
 * that to a real click only), so what is asserted of a click is the navigation of the open tab.
 */
import type { BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { eventually } from './support/eventually.js';
import { subscribe } from './support/push-helpers.js';
import { adaAndBob, messageItem, openAs } from './support/web-chat.js';
import { webPushSuite } from './support/web-push.js';

interface Shown {
  title: string;
  body: string;
  tag: string;
  renotify: boolean;
  data: { url: string };
}

/** Registers /sw.js from the page and waits until it controls the page (no reload: the worker claims it). */
async function registerWorker(page: Page): Promise<Worker> {
  const context = page.context();
  const started = context.waitForEvent('serviceworker');
  await page.evaluate(async () => {
    const dom = globalThis as any;
    await dom.navigator.serviceWorker.register('/sw.js');
    await dom.navigator.serviceWorker.ready;
  });
  await eventually(() => page.evaluate(() => (globalThis as any).navigator.serviceWorker.controller !== null), {
    what: 'the worker to control the page that registered it',
  });
  return context.serviceWorkers()[0] ?? (await started);
}

/** The registration's id as the DevTools protocol names it, for ServiceWorker.deliverPushMessage. */
async function registrationId(cdp: CDPSession, scope: string): Promise<string> {
  const seen: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
  cdp.on('ServiceWorker.workerRegistrationUpdated', (event) => seen.push(...event.registrations));
  await cdp.send('ServiceWorker.enable');
  const registration = await eventually(() => seen.find((r) => r.scopeURL === scope && !r.isDeleted), {
    what: `the registration of ${scope}`,
  });
  return registration.registrationId;
}

/** The notifications the worker's registration shows now. */
function shownNotifications(worker: Worker): Promise<Shown[]> {
  return worker.evaluate(async () => {
    const list = await (globalThis as any).registration.getNotifications();
    return list.map((n: any) => ({ title: n.title, body: n.body, tag: n.tag, renotify: n.renotify, data: n.data }));
  });
}

describe.skipIf(chromiumMissing)('web client: the service worker', { timeout: 120_000 }, () => {
  const suite = webPushSuite();

  it("shows the host's push as a notification and opens its conversation on a click", async () => {
    const { host, browser, service } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    // Ada has no page open yet, so the host pushes Bob's messages to her subscription.
    const pushed = await subscribe(host, ada, service);
    for (const text of ['Dinner at eight?', 'Or nine?']) {
      const sent = await host.http('POST', `/v1/conversations/${direct.id}/messages`, {
        token: bob.token,
        body: { clientMsgId: `ask-${text.length}`, content: { type: 'text', text } },
      });
      expect(sent.status).toBe(201);
    }
    const first = await service.waitForPush(pushed, (p) => p.payload.body === 'Dinner at eight?');
    const second = await service.waitForPush(pushed, (p) => p.payload.body === 'Or nine?');
    expect(service.refused).toEqual([]);

    const { page, problems } = await openAs(browser, host, ada, { permissions: ['notifications'] });
    const context: BrowserContext = page.context();
    const worker = await registerWorker(page);
    const cdp = await context.newCDPSession(page);
    const id = await registrationId(cdp, `${host.url}/`);
    const deliver = (payload: unknown) =>
      cdp.send('ServiceWorker.deliverPushMessage', {
        origin: host.url,
        registrationId: id,
        data: JSON.stringify(payload),
      });

    // The first delivery through DevTools can be lost while the new worker settles (a CI run saw
    // nothing shown for 10 s): it goes again until shown. The same tag makes a repeat replace, not add.
    const expected = { tag: direct.id, renotify: true, data: { url: `/c/${direct.id}` } };
    const shownFirst = async () => {
      const shown = (await shownNotifications(worker))[0];
      if (!shown) await deliver(first.payload);
      return shown;
    };
    expect(await eventually(shownFirst, { what: 'the notification', timeoutMs: 20_000, intervalMs: 500 })).toEqual({
      title: 'Bob Babbage',
      body: 'Dinner at eight?',
      ...expected,
    });

    // The conversation's tag: the newer message replaces the older notification instead of piling up.
    await deliver(second.payload);
    await eventually(async () => {
      expect(await shownNotifications(worker)).toEqual([{ title: 'Bob Babbage', body: 'Or nine?', ...expected }]);
      return true;
    });

    // A payload that is not the host's shows nothing of its own.
    await deliver({ title: 42 });
    expect(await shownNotifications(worker)).toHaveLength(1);

    const outcomes = await worker.evaluate(async (tag: string) => {
      const scope = globalThis as any;
      const [notification] = await scope.registration.getNotifications({ tag });
      const event = new scope.NotificationEvent('notificationclick', { notification });
      // A script's event has no waitUntil of its own: the handler's promise is caught here to be awaited.
      const pending: Promise<unknown>[] = [];
      Object.defineProperty(event, 'waitUntil', { value: (p: Promise<unknown>) => pending.push(p) });
      scope.dispatchEvent(event);
      const settled = await Promise.allSettled(pending);
      return settled.map((s) => (s.status === 'fulfilled' ? 'fulfilled' : String(s.reason)));
    }, direct.id);
    expect(outcomes).toEqual(['fulfilled']);
    await page.waitForURL(`${host.url}/c/${direct.id}`);
    await messageItem(page, 'Or nine?').waitFor();
    expect(await shownNotifications(worker)).toEqual([]);
    expect(problems.all).toEqual([]);
  });
});

/**
 * Notifications in the web client: "Turn on notifications" asks the browser, registers the service
 * worker (/sw.js) and gives the subscription to the host; with the page closed, a direct message
 * arrives at the push service signed and encrypted for that browser. Chromium's own push service
 * (Google's) cannot be reached here, so PushManager.subscribe answers with an endpoint on the test's
 * push service, with keys made as a browser makes them; everything else is the real browser and host.
 * The host's VAPID key is asked only to subscribe or to check a subscription, once per tab. A
 * browser that will not subscribe (a private window, no push service) is said to, in words.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { wentOffline } from './support/push-helpers.js';
import type { BrowserSubscription } from './support/push-service.js';
import { adaAndBob, openAs } from './support/web-chat.js';
import { webPushSuite } from './support/web-push.js';

/**
 * PushManager as the browser has it, but with an endpoint on the test's push service: the
 * subscription (and the key it was made with, which the page checks) is kept in localStorage, so
 * it lasts across reloads and tabs (the stub is the context's) as the browser's own does.
 */
async function stubPushManager(page: Page, subscription: BrowserSubscription): Promise<void> {
  await page.context().addInitScript((sub: BrowserSubscription) => {
    const dom = globalThis as any;
    const KEY = 'test:push-subscription';
    const current = () => {
      const saved = dom.localStorage.getItem(KEY);
      if (saved === null) return null;
      const key = new Uint8Array(JSON.parse(saved) as number[]).buffer;
      return {
        endpoint: sub.endpoint,
        options: { userVisibleOnly: true, applicationServerKey: key },
        toJSON: () => sub,
        unsubscribe: () => Promise.resolve(dom.localStorage.removeItem(KEY) ?? true),
      };
    };
    dom.PushManager.prototype.subscribe = function (options: { applicationServerKey: Uint8Array }) {
      dom.localStorage.setItem(KEY, JSON.stringify([...options.applicationServerKey]));
      return Promise.resolve(current());
    };
    dom.PushManager.prototype.getSubscription = function () {
      return Promise.resolve(current());
    };
  }, subscription);
}

/** The requests for the VAPID key the page makes from now on. */
function keyRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/v1/push/vapid-key') seen.push(request.url());
  });
  return seen;
}

describe.skipIf(chromiumMissing)('web client: push notifications', { timeout: 120_000 }, () => {
  const suite = webPushSuite();

  it('turns notifications on; a message while the page is closed is pushed to that browser', async () => {
    const { host, browser, service } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const subscription: BrowserSubscription = service.newBrowser();
    const { page, problems } = await openAs(browser, host, ada, { permissions: ['notifications'] });
    await stubPushManager(page, subscription);
    await page.reload();

    const toggle = page.getByRole('group', { name: 'Notifications' });
    await toggle.getByRole('button', { name: 'Turn on notifications' }).click();
    await toggle.getByText('Notifications are on in this browser.').waitFor();
    const worker = await page.evaluate(async () => {
      const registration = await (globalThis as any).navigator.serviceWorker.getRegistration('/sw.js');
      return registration?.active?.scriptURL ?? null;
    });
    expect(worker).toBe(`${host.url}/sw.js`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems.all).toEqual([]);

    const watcher = await host.connect(bob.token);
    await watcher.request({ type: 'presence.subscribe', userIds: [ada.id] });
    await page.context().close();
    await wentOffline(watcher, ada);
    await watcher.request({
      type: 'send',
      conversationId: direct.id,
      clientMsgId: 'while-away',
      content: { type: 'text', text: 'Are you there?' },
    });
    const push = await service.waitForPush(subscription);
    expect(push.payload).toMatchObject({
      type: 'direct_message',
      conversationId: direct.id,
      body: 'Are you there?',
      url: `/c/${direct.id}`,
    });
    expect(service.refused).toEqual([]);
  });

  it('says in words when the browser itself refuses to subscribe, in English and French', async () => {
    const { host, browser } = suite;
    const { ada } = await adaAndBob(host);
    const { page } = await openAs(browser, host, ada, { permissions: ['notifications'] });
    // As Chromium in a private window, or a browser without a push service, answers.
    await page.context().addInitScript(() => {
      const dom = globalThis as any;
      dom.PushManager.prototype.subscribe = () =>
        // The page's DOMException (an Error there; `any` to this file, which has no DOM types).
        Promise.reject(new dom.DOMException('Registration failed - push service not available', 'AbortError') as Error);
    });
    await page.reload();
    const toggle = page.getByRole('group', { name: 'Notifications' });
    await toggle.getByRole('button', { name: 'Turn on notifications' }).click();
    // It said "Something went wrong (unknown)."
    await toggle
      .getByText(
        'This browser could not turn notifications on (a private window allows none). Try again later, or in another browser.',
      )
      .waitFor();
    await page.getByLabel('Language').selectOption('fr');
    const toggleFr = page.getByRole('group', { name: 'Notifications' });
    await toggleFr.getByRole('button', { name: 'Activer les notifications' }).click();
    await toggleFr
      .getByText(
        'Ce navigateur n’a pas pu activer les notifications (une fenêtre de navigation privée n’en permet pas). Réessayez plus tard, ou dans un autre navigateur.',
      )
      .waitFor();
  });

  it("asks for the host's key only to subscribe or to check a subscription, once per tab", async () => {
    const { host, browser, service } = suite;
    const { ada } = await adaAndBob(host);
    const { page, problems } = await openAs(browser, host, ada, { permissions: ['notifications'] });
    await stubPushManager(page, service.newBrowser());
    const asked = keyRequests(page);
    const toggle = page.getByRole('group', { name: 'Notifications' });
    const turnOn = toggle.getByRole('button', { name: 'Turn on notifications' });
    const isOn = toggle.getByText('Notifications are on in this browser.');

    // Notifications off: a page load asks the host nothing about push.
    await page.reload();
    await turnOn.waitFor();
    expect(asked).toEqual([]);

    await turnOn.click();
    await isOn.waitFor();
    expect(asked).toHaveLength(1);
    // On, in the same tab: the subscription is checked against the key kept for the tab.
    await page.reload();
    await isOn.waitFor();
    expect(asked).toHaveLength(1);

    // Another tab keeps no key yet: it asks once to check the subscription.
    const tab = await page.context().newPage();
    const askedInTab = keyRequests(tab);
    await tab.goto(host.url);
    await tab
      .getByRole('group', { name: 'Notifications' })
      .getByText('Notifications are on in this browser.')
      .waitFor();
    expect(askedInTab).toHaveLength(1);

    // A subscription made with a key the host does not have (it was replaced) is ended: turn on again.
    await page.evaluate(() => (globalThis as any).localStorage.setItem('test:push-subscription', '[4,1,2,3]'));
    await page.reload();
    await turnOn.waitFor();
    expect(asked).toHaveLength(2);
    expect(await page.evaluate(() => (globalThis as any).localStorage.getItem('test:push-subscription'))).toBeNull();
    expect(problems.all).toEqual([]);
  });

  it("ends this browser's subscription, at the host and in the browser, when the person logs out", async () => {
    const { host, browser, service } = suite;
    const { ada } = await adaAndBob(host);
    const { page, problems } = await openAs(browser, host, ada, { permissions: ['notifications'] });
    await stubPushManager(page, service.newBrowser());
    await page.reload();
    const toggle = page.getByRole('group', { name: 'Notifications' });
    await toggle.getByRole('button', { name: 'Turn on notifications' }).click();
    await toggle.getByText('Notifications are on in this browser.').waitFor();

    const toldHost = page.waitForResponse(
      (res) => res.request().method() === 'DELETE' && new URL(res.url()).pathname === '/v1/push/subscriptions',
    );
    await page.getByRole('button', { name: 'Log out' }).click();
    expect((await toldHost).status()).toBe(204);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).localStorage.getItem('test:push-subscription'))).toBeNull();
    expect(problems.all).toEqual([]);
  });
});

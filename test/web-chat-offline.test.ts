/**
 * The web client through a lost connection: the host really goes away (stopped, then a new host
 * started on the same database and port), the page says it is offline, keeps what is typed
 * meanwhile as pending, and sends it once the host is back: delivered exactly once, no gap. The
 * browser's own network going (with the socket possibly still open) shows the banner at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, type BrowserHandle } from './support/browser.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import {
  composer,
  messageItem,
  messageLog,
  openAs,
  openConversation,
  sendText,
  adaAndBob,
} from './support/web-chat.js';

const MAX_TEXT = 40;

describe.skipIf(chromiumMissing)('web chat: offline and back', { timeout: 180_000 }, () => {
  let first: TestHost;
  let second: TestHost | null = null;
  let browser: BrowserHandle;
  const config = { messages: { maxTextLength: MAX_TEXT } };

  beforeAll(async () => {
    [first, browser] = await Promise.all([startTestHost({ config }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await second?.stop();
    // The first host made the database: stopping it drops it.
    await first?.stop();
  });

  it('shows the banner, keeps a message typed offline as pending, and delivers it once after reconnecting', async () => {
    const ada = await first.createUser({ displayName: 'Ada Lovelace' });
    const bob = await first.createUser({ displayName: 'Bob Babbage' });
    const direct = await first.direct(ada, bob);
    const [a, b] = await Promise.all([openAs(browser, first, ada), openAs(browser, first, bob)]);
    await Promise.all([openConversation(a.page, first, direct.id), openConversation(b.page, first, direct.id)]);
    await sendText(a.page, 'Before the outage');
    await messageItem(b.page, 'Before the outage').waitFor();

    const banner = a.page.getByRole('status').filter({ hasText: 'You are offline.' });
    const port = Number(new URL(first.url).port);
    await first.stopHostOnly();
    await banner.waitFor();
    await sendText(a.page, 'Typed while offline');
    const pending = messageItem(a.page, 'Typed while offline');
    await pending.getByText('Sending…').waitFor();
    // Still there after a moment offline: kept, not dropped.
    expect(await pending.getAttribute('data-state')).toBe('queued');

    second = await startTestHost({ config: { ...config, server: { port } }, database: first.database });
    await banner.waitFor({ state: 'detached' });
    await messageItem(b.page, 'Typed while offline').waitFor();
    await pending.getByText('Sending…').waitFor({ state: 'detached' });
    await sendText(b.page, 'Welcome back');
    await messageItem(a.page, 'Welcome back').waitFor();

    // Exactly once on both sides, in order, and once in the host.
    for (const page of [a.page, b.page]) {
      const texts = await messageLog(page).locator('.message-text').allInnerTexts();
      expect(texts).toEqual(['Before the outage', 'Typed while offline', 'Welcome back']);
    }
    const history = await second.http('GET', `/v1/conversations/${direct.id}/messages`, { token: bob.token });
    expect(history.body.messages.map((m: any) => m.content?.text)).toEqual([
      'Before the outage',
      'Typed while offline',
      'Welcome back',
    ]);
    expect(await a.page.getByRole('status').filter({ hasText: /\S/ }).count()).toBe(0);
  });

  it('the browser losing its network shows the banner at once, keeps what is typed, and clears when back', async () => {
    const host = second ?? first;
    const { ada, bob, direct } = await adaAndBob(host);
    const [a, b] = await Promise.all([openAs(browser, host, ada), openAs(browser, host, bob)]);
    await Promise.all([openConversation(a.page, host, direct.id), openConversation(b.page, host, direct.id)]);
    await sendText(a.page, 'Before the network went');
    await messageItem(b.page, 'Before the network went').waitFor();

    // Chromium may keep the socket open: the heartbeat would notice only after 30 s or more, so
    // the banner has to come from the browser's own offline event, well within that.
    const banner = a.page.getByRole('status').filter({ hasText: 'You are offline.' });
    const bobOnline = a.page.locator('.chat-subtitle').getByText('Online', { exact: true });
    await bobOnline.waitFor();
    await a.page.context().setOffline(true);
    await banner.waitFor({ timeout: 10_000 });
    // What Ada last heard of Bob may no longer be true: not claimed while she is offline.
    await bobOnline.waitFor({ state: 'detached' });
    await sendText(a.page, 'Typed with no network');
    const pending = messageItem(a.page, 'Typed with no network');
    await pending.getByText('Sending…').waitFor();
    await composer(a.page).fill('A draft kept meanwhile');

    await a.page.context().setOffline(false);
    await banner.waitFor({ state: 'detached' });
    await bobOnline.waitFor();
    await messageItem(b.page, 'Typed with no network').waitFor();
    await pending.getByText('Sending…').waitFor({ state: 'detached' });
    expect(await composer(a.page).inputValue()).toBe('A draft kept meanwhile');
    const history = await host.http('GET', `/v1/conversations/${direct.id}/messages`, { token: bob.token });
    expect(history.body.messages.map((m: any) => m.content?.text)).toEqual([
      'Before the network went',
      'Typed with no network',
    ]);
  });

  it("refuses a text over the host's limit before sending, keeping it; counts characters as the host does", async () => {
    const host = second ?? first;
    const { ada, bob, direct } = await adaAndBob(host);
    const { page } = await openAs(browser, host, ada);
    const tooLong = 'x'.repeat(MAX_TEXT + 1);
    let attempts = 0;
    page.on('websocket', (ws) =>
      ws.on('framesent', (f) => {
        if (String(f.payload).includes(tooLong)) attempts++;
      }),
    );
    await openConversation(page, host, direct.id);
    // Near the limit a count shows; over it, why it cannot go, and Enter leaves the text in place.
    await composer(page).fill('x'.repeat(MAX_TEXT - 2));
    await page.getByText(`${MAX_TEXT - 2} of ${MAX_TEXT} characters`, { exact: true }).waitFor();
    await composer(page).fill(tooLong);
    const alert = page
      .getByRole('alert')
      .filter({ hasText: `Too long: ${MAX_TEXT + 1} of at most ${MAX_TEXT} characters` });
    await alert.waitFor();
    await composer(page).press('Enter');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    expect(await composer(page).inputValue()).toBe(tooLong);
    expect(await messageItem(page, tooLong).count()).toBe(0);
    expect(attempts).toBe(0);

    // The host counts characters, not UTF-16 units: as many emoji as the limit go through.
    const emoji = '😀'.repeat(MAX_TEXT);
    await composer(page).fill(emoji);
    await alert.waitFor({ state: 'detached' });
    await composer(page).press('Enter');
    await messageItem(page, emoji).getByText('Sending…').waitFor({ state: 'detached' });
    expect(await composer(page).inputValue()).toBe('');
    const history = await host.http('GET', `/v1/conversations/${direct.id}/messages`, { token: bob.token });
    expect(history.body.messages.map((m: any) => m.content?.text)).toEqual([emoji]);
  });
});

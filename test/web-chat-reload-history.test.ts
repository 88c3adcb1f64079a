/**
 * A conversation opened by a page load (a reload, a bookmark, a notification's link) with only its
 * newest messages cached, those that came live while another screen was open: the log fills with
 * the history before them as soon as the page is online, as it does when opened from the list. It
 * kept the two or three cached ones and a "Load earlier messages" button: its filling ran while the
 * page was still connecting, was refused, and never ran again.
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { adaAndBob, chatSuite, conversationLink, messageItem, openAs, postTexts } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: a conversation opened by a page load', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('fills the log with the earlier history once online, not only the messages cached live', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(
      host,
      bob,
      direct.id,
      Array.from({ length: 12 }, (_, i) => `Older news #${i + 1}.`),
    );
    // Ada is on the home screen: what comes now is cached live, the history before it is not.
    const { page, problems } = await openAs(browser, host, ada);
    await conversationLink(page, /Bob Babbage/).waitFor();
    await postTexts(host, bob, direct.id, ['Just in: the first', 'Just in: the second one']);
    await conversationLink(page, /Just in: the second one/).waitFor();
    // Stored for the next load (the client library writes its cache shortly after a change).
    await expect
      .poll(() =>
        page.evaluate(() => {
          const storage = (globalThis as any).localStorage;
          return Object.keys(storage).some((key) => String(storage.getItem(key)).includes('Just in: the second one'));
        }),
      )
      .toBe(true);

    await page.goto(`${host.url}/c/${direct.id}`);
    await messageItem(page, 'Just in: the second one').waitFor();
    await messageItem(page, 'Older news #1.').waitFor();
    expect(await messageItem(page, /Older news #\d+\./).count()).toBe(12);
    expect(problems.all).toEqual([]);
  });
});

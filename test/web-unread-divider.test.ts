/**
 * "New messages" in the web client's log: a conversation opened with messages after the person's
 * read position shows a divider above the first of them, and opens there rather than at the
 * newest, so someone coming back to a busy conversation sees where what they missed starts.
 * Messages arriving while it is open do not move it or add another; coming back with nothing
 * unread shows none.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import {
  adaAndBob,
  chatSuite,
  conversationLink,
  messageItem,
  messageLog,
  openAs,
  openConversation,
  postTexts,
} from './support/web-chat.js';

const divider = (page: Page) => messageLog(page).getByRole('separator', { name: 'New messages' });

/** Where the divider is in the log's visible box, and whether the log is scrolled to its end. */
function placeOfDivider(page: Page) {
  return page.evaluate(() => {
    const dom = globalThis as any;
    const log = dom.document.querySelector('.message-log');
    const line = log.querySelector('[role="separator"]');
    const box = log.getBoundingClientRect();
    const at = line.getBoundingClientRect();
    return {
      inView: at.top >= box.top && at.bottom <= box.bottom,
      atEnd: log.scrollHeight - log.scrollTop - log.clientHeight < 2,
      above: String(line.closest('li').nextElementSibling?.querySelector('.message-text')?.textContent ?? ''),
    };
  });
}

/** Waits until the host has the whole conversation read by `user` (the open screen marked it). */
async function readByHost(host: TestHost, user: TestUser, conversationId: string): Promise<void> {
  await expect
    .poll(async () => (await host.http('GET', `/v1/conversations/${conversationId}`, { token: user.token })).body)
    .toMatchObject({ unreadCount: 0 });
}

describe.skipIf(chromiumMissing)('web client: the "New messages" divider', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('marks where the unread messages start, opens there, and keeps to that one place', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, ada, direct.id, ['Earlier #1.', 'Earlier #2.', 'Earlier #3.']);
    const { page, problems } = await openAs(browser, host, bob);
    const home = page.getByRole('link', { name: 'Switchboard', exact: true });
    const adaLink = conversationLink(page, /Ada Lovelace/);

    // Bob reads up to Ada's third message, then goes to the home screen.
    await adaLink.click();
    await messageItem(page, 'Earlier #3.').waitFor();
    await readByHost(host, bob, direct.id);
    await home.click();
    await messageLog(page).waitFor({ state: 'detached' });

    // Ada writes more than a screen's worth meanwhile.
    const unread = Array.from({ length: 24 }, (_, i) => `Unread #${i + 1}.`);
    await postTexts(host, ada, direct.id, unread);
    await adaLink.getByRole('img', { name: '24 unread messages' }).waitFor();

    await adaLink.click();
    await divider(page).waitFor();
    // Directly above her first unread message, and in view: the log opened there, not at the end.
    await expect.poll(() => placeOfDivider(page)).toEqual({ inView: true, atEnd: false, above: 'Unread #1.' });
    expect(await divider(page).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A message arriving while Bob reads goes below, without a divider of its own.
    await postTexts(host, ada, direct.id, ['Live, while Bob reads.']);
    await messageItem(page, 'Live, while Bob reads.').waitFor();
    expect(await divider(page).count()).toBe(1);
    expect((await placeOfDivider(page)).above).toBe('Unread #1.');

    // Back with everything read: no divider, even for what then arrives live.
    await readByHost(host, bob, direct.id);
    await home.click();
    await messageLog(page).waitFor({ state: 'detached' });
    await adaLink.click();
    await messageItem(page, 'Live, while Bob reads.').waitFor();
    await postTexts(host, ada, direct.id, ['After Bob came back.']);
    await messageItem(page, 'After Bob came back.').waitFor();
    expect(await divider(page).count()).toBe(0);
    expect(problems.all).toEqual([]);
  });

  it('on a page load, with more unread than the first page holds, still opens at the first of them', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, ada, direct.id, ['Read before #1.', 'Read before #2.']);
    const laptop = await openAs(browser, host, bob);
    await openConversation(laptop.page, host, direct.id);
    await messageItem(laptop.page, 'Read before #2.').waitFor();
    await readByHost(host, bob, direct.id);
    await laptop.page.close();

    // More than the 50 a conversation's first page holds: older pages are loaded up to the first.
    await postTexts(
      host,
      ada,
      direct.id,
      Array.from({ length: 60 }, (_, i) => `Missed #${i + 1}.`),
    );
    // On his phone, none of them cached, opened as a notification's link would: a page load.
    const { page, problems } = await openAs(browser, host, bob);
    await openConversation(page, host, direct.id);
    await divider(page).waitFor();
    await expect.poll(() => placeOfDivider(page)).toEqual({ inView: true, atEnd: false, above: 'Missed #1.' });
    expect(await divider(page).count()).toBe(1);
    expect(problems.all).toEqual([]);
  });
});

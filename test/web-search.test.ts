/**
 * Message search in the web client: words found across conversations with the matched words
 * marked, more results a page at a time, a search with no match said in words, and a result that
 * opens its conversation at the message, however far back (older pages are loaded until it is there).
 * The screen puts the focus in its search box, reached by the link or loaded by its address.
 */
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { adaAndBob, chatSuite, messageItem, messageLog, openAs, postTexts } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: message search', { timeout: 180_000 }, () => {
  const suite = chatSuite();

  it('finds words, marks them, pages, and opens a result in its conversation', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const filler = Array.from({ length: 130 }, (_, i) => `filler line ${i}`);
    const lunches = Array.from({ length: 23 }, (_, i) => `lunch plan ${i}`);
    await postTexts(host, bob, direct.id, ['The quarterly figures are ready', ...filler, ...lunches]);
    await postTexts(host, ada, direct.id, ['Agenda for Monday']);

    const { page, problems } = await openAs(browser, host, ada);
    await page.getByRole('link', { name: 'Search messages' }).click();
    await page.getByRole('heading', { name: 'Search', level: 1 }).waitFor();
    await page.getByLabel('Words to find').fill('quarterly');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('list', { name: 'Messages found' });
    const hit = results.getByRole('link', { name: /quarterly figures/ });
    await hit.waitFor();
    expect(await results.getByRole('listitem').count()).toBe(1);
    expect(await hit.locator('mark').allTextContents()).toEqual(['quarterly']);
    // Named once the conversation list has loaded (a search can answer first).
    await expect.poll(() => hit.innerText()).toContain('Bob Babbage in Bob Babbage');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Twenty at a time, newest first; "More results" brings the rest, each once.
    await page.getByLabel('Words to find').fill('lunch');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await results.getByRole('link', { name: /lunch plan 22/ }).waitFor();
    expect(await results.getByRole('listitem').count()).toBe(20);
    await page.getByRole('button', { name: 'More results' }).click();
    await results.getByRole('link', { name: /lunch plan 0\b/ }).waitFor();
    expect(await results.getByRole('listitem').count()).toBe(23);
    await page.getByRole('button', { name: 'More results' }).waitFor({ state: 'detached' });

    // My own message is said to be mine, as the conversation shows it.
    await page.getByLabel('Words to find').fill('agenda');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const mine = results.getByRole('link', { name: /Agenda for Monday/ });
    await mine.waitFor();
    expect(await mine.innerText()).toContain('You in Bob Babbage');
    expect(await mine.innerText()).not.toContain('Ada Lovelace');

    await page.getByLabel('Words to find').fill('zebra');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'No message matches “zebra”.' }).waitFor();

    // The oldest message is 150 back: the conversation loads older pages until it shows it.
    await page.getByLabel('Words to find').fill('quarterly');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await hit.click();
    await page.waitForURL(new RegExp(`/c/${direct.id}#seq=\\d+$`));
    const found = messageItem(page, 'The quarterly figures are ready');
    await found.and(page.locator('.message-focus')).waitFor();
    await messageLog(page).waitFor();
    expect(await found.isVisible()).toBe(true);
    expect(problems.all).toEqual([]);
  });

  it('puts the focus in the search box, loaded by its address or reached by the link', async () => {
    const { host, browser } = suite;
    const { ada } = await adaAndBob(host);
    const { page, problems } = await openAs(browser, host, ada);
    const box = page.getByLabel('Words to find');
    const focused = () => box.evaluate((el: any) => el === el.ownerDocument.activeElement);
    for (const address of ['/search', '/search?q=quarterly']) {
      await page.goto(`${host.url}${address}`);
      await box.waitFor();
      await expect.poll(focused).toBe(true);
    }
    expect(await box.inputValue()).toBe('quarterly');
    await page.goto(`${host.url}/`);
    await page.getByRole('link', { name: 'Search messages' }).click();
    await box.waitFor();
    await expect.poll(focused).toBe(true);
    expect(problems.all).toEqual([]);
  });

  it('names a result’s conversation once the page knows it, even when the search answers first', async () => {
    const { host, browser } = suite;
    const [ada, carol] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Carol Shaw' }),
    ]);
    const { page, problems } = await openAs(browser, host, ada);
    // Every read of conversations is held (the new one's, and the list, which a sign-in may still
    // be loading), so the search answers before the page knows the conversation.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let asked!: () => void;
    const fetched = new Promise<void>((resolve) => (asked = resolve));
    await page.route(
      (url) => url.pathname === '/v1/conversations' || url.pathname.startsWith('/v1/conversations/'),
      async (route) => {
        if (route.request().method() !== 'GET') return route.continue();
        asked();
        await released;
        await route.continue();
      },
    );
    const direct = await host.direct(carol, ada);
    await postTexts(host, carol, direct.id, ['The quarterly figures are ready']);
    await fetched;
    await page.getByRole('link', { name: 'Search messages' }).click();
    await page.getByLabel('Words to find').fill('quarterly');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const hit = page.getByRole('list', { name: 'Messages found' }).getByRole('link', { name: /quarterly figures/ });
    await expect.poll(() => hit.innerText()).toContain('Carol Shaw in a conversation,');
    release();
    await expect.poll(() => hit.innerText()).toContain('Carol Shaw in Carol Shaw,');
    expect(problems.all).toEqual([]);
  });
});

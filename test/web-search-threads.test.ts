/**
 * Search results and threads, and searches kept in the address. A hit that is a reply in a thread
 * says so, and opens its conversation with the thread's panel on its root and the reply marked and
 * focused (the main timeline does not show replies). A search address (`/search?q=…`) runs its
 * search however the screen is reached: a reload, a pasted link, Back from a result, or Back and
 * Forward between two searches.
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { adaAndBob, chatSuite, messageLog, openAs, postTexts } from './support/web-chat.js';
import type { TestHost, TestUser } from './support/start-test-host.js';

/** Posts `texts` as replies in the thread of `rootId`, over HTTP. */
async function postReplies(host: TestHost, user: TestUser, conversationId: string, rootId: string, texts: string[]) {
  for (const [i, text] of texts.entries()) {
    const res = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
      token: user.token,
      body: { clientMsgId: `reply-${rootId}-${i}`, content: { type: 'text', text }, threadRootId: rootId },
    });
    if (res.status !== 201) throw new Error(`reply failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

describe.skipIf(chromiumMissing)('web client: search, threads and the address', { timeout: 180_000 }, () => {
  const suite = chatSuite();

  it('a hit that is a thread reply says so, and opens the thread with the reply focused', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Tea this afternoon?']);
    const history = await host.http('GET', `/v1/conversations/${direct.id}/messages?limit=1`, { token: ada.token });
    const rootId: string = history.body.messages[0].id;
    // The reply first, then enough after it that the panel must scroll back to show it.
    const after = Array.from({ length: 40 }, (_, i) => `later reply ${i}`);
    await postReplies(host, ada, direct.id, rootId, ['Darjeeling for me, please', ...after]);
    await postTexts(host, bob, direct.id, ['Plain timeline message']);

    const { page, problems } = await openAs(browser, host, ada);
    await page.goto(`${host.url}/search`);
    await page.getByLabel('Words to find').fill('darjeeling');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const hit = page.getByRole('list', { name: 'Messages found' }).getByRole('link', { name: /Darjeeling/ });
    await hit.waitFor();
    await expect.poll(() => hit.innerText()).toContain('You in a thread in Bob Babbage');

    await hit.click();
    await page.waitForURL(new RegExp(`/c/${direct.id}#thread=${rootId}&seq=\\d+$`));
    const panel = page.getByRole('complementary', { name: 'Thread' });
    const replies = panel.getByRole('list', { name: 'Thread messages' });
    const reply = replies.getByRole('listitem').filter({ hasText: 'Darjeeling for me, please' });
    await reply.and(page.locator('.message-focus')).waitFor();
    await expect.poll(() => reply.evaluate((el: any) => el === el.ownerDocument.activeElement)).toBe(true);
    // In view inside the panel, which scrolled back to it.
    const [box, side] = await Promise.all([reply.boundingBox(), panel.boundingBox()]);
    expect(box!.y).toBeGreaterThanOrEqual(side!.y);
    expect(box!.y + box!.height).toBeLessThanOrEqual(side!.y + side!.height);
    // The timeline still leaves replies to the thread.
    expect(await messageLog(page).getByText('Darjeeling for me, please').count()).toBe(0);
    expect(problems.all).toEqual([]);
  });

  it('runs the search its address holds: loaded, reloaded, and on Back and Forward', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Darjeeling is the one', 'Assam in the morning']);
    const { page, problems } = await openAs(browser, host, ada);
    const box = page.getByLabel('Words to find');
    const results = page.getByRole('list', { name: 'Messages found' });
    const hitTexts = () => results.getByRole('link').allInnerTexts();
    const searches: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/v1/search') searches.push(url.searchParams.get('q') ?? '');
    });

    // A pasted link: the box is filled and the search runs.
    await page.goto(`${host.url}/search?q=darjeel`);
    await results.getByRole('link', { name: /Darjeeling is the one/ }).waitFor();
    expect(await box.inputValue()).toBe('darjeel');
    expect(searches).toEqual(['darjeel']);

    // A second search is a step of its own: Back returns to the first, Forward to the second.
    await box.fill('assam');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await results.getByRole('link', { name: /Assam in the morning/ }).waitFor();
    expect(new URL(page.url()).search).toBe('?q=assam');
    await page.goBack();
    await results.getByRole('link', { name: /Darjeeling is the one/ }).waitFor();
    expect(await box.inputValue()).toBe('darjeel');
    expect((await hitTexts()).join('\n')).not.toContain('Assam');
    await page.goForward();
    await results.getByRole('link', { name: /Assam in the morning/ }).waitFor();
    expect(await box.inputValue()).toBe('assam');

    // A reload, and Back from a result it opened, search again.
    await page.reload();
    await results.getByRole('link', { name: /Assam in the morning/ }).waitFor();
    await results.getByRole('link', { name: /Assam in the morning/ }).click();
    await messageLog(page).waitFor();
    await page.goBack();
    await results.getByRole('link', { name: /Assam in the morning/ }).waitFor();
    expect(await box.inputValue()).toBe('assam');
    expect(searches).toEqual(['darjeel', 'assam', 'darjeel', 'assam', 'assam', 'assam']);
    expect(problems.all).toEqual([]);
  });
});

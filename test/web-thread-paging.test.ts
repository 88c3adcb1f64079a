/**
 * A thread longer than a page (the panel loads the newest 100 replies): "Show earlier replies"
 * loads the page before, merged into one list (each reply once, live ones still arriving) without
 * moving what was in view, says so while it loads and shows a failure; a reply the address asks
 * for (`#thread=<root>&seq=N`, a search result) that is older than the newest page is loaded, then
 * marked and focused.
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { adaAndBob, chatSuite, openAs, postTexts, readAll } from './support/web-chat.js';
import type { TestHost, TestUser } from './support/start-test-host.js';

const REPLIES = 130;

/** A root by Bob and REPLIES replies to it by Ada ("reply 0" the oldest), over HTTP, all read; the root's id and the replies' seqs. */
async function longThread(host: TestHost, ada: TestUser, bob: TestUser, conversationId: string) {
  await postTexts(host, bob, conversationId, ['A long discussion']);
  const history = await host.http('GET', `/v1/conversations/${conversationId}/messages?limit=1`, { token: ada.token });
  const rootId: string = history.body.messages[0].id;
  const seqs: number[] = [];
  for (let i = 0; i < REPLIES; i++) {
    const res = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
      token: ada.token,
      body: { clientMsgId: `long-${rootId}-${i}`, content: { type: 'text', text: `reply ${i}` }, threadRootId: rootId },
    });
    if (res.status !== 201) throw new Error(`reply failed: ${res.status} ${JSON.stringify(res.body)}`);
    seqs.push(res.body.message.seq);
  }
  // Bob's root read: unread, the log would load back to it, replies and all, to mark it "New messages".
  await readAll(host, ada, conversationId);
  return { rootId, seqs };
}

describe.skipIf(chromiumMissing)('web client: paging back in a long thread', { timeout: 180_000 }, () => {
  const suite = chatSuite();

  it('"Show earlier replies" loads the older page in place, once each, and live replies still come in', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const { rootId } = await longThread(host, ada, bob, direct.id);
    const { page } = await openAs(browser, host, ada);
    // As the Threads list opens it (the root is too far back for the timeline's first page).
    await page.goto(`${host.url}/c/${direct.id}#thread=${rootId}`);
    const panel = page.getByRole('complementary', { name: 'Thread' });
    const list = panel.getByRole('list', { name: 'Thread messages' });
    const reply = (i: number) =>
      list.getByRole('listitem').filter({ has: page.getByText(`reply ${i}`, { exact: true }) });
    await reply(REPLIES - 1).waitFor();
    // The newest page: the root and the newest 100 replies.
    expect(await list.locator(':scope > li').count()).toBe(101);
    expect(await reply(0).count()).toBe(0);
    const earlier = panel.getByRole('button', { name: 'Show earlier replies' });

    // A failed load says so, and the button stays to try again.
    await page.route(/\/threads\/[^/]+\/messages\?.*before=/, (route) => route.abort());
    await earlier.click();
    await panel.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
    await expect.poll(() => earlier.isEnabled()).toBe(true);
    await page.unrouteAll();

    // The oldest reply shown stays where it was on screen as the earlier ones go in above it.
    const oldestShown = reply(REPLIES - 100);
    await earlier.scrollIntoViewIfNeeded();
    const before = (await oldestShown.boundingBox())!.y;
    // Busy while the page is on its way.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/threads\/[^/]+\/messages\?.*before=/, async (route) => {
      await held;
      await route.continue();
    });
    await earlier.click();
    const busy = panel.getByRole('button', { name: 'Loading earlier replies…' });
    await busy.waitFor();
    expect(await busy.isDisabled()).toBe(true);
    release();
    await reply(0).waitFor();
    expect(Math.abs((await oldestShown.boundingBox())!.y - before)).toBeLessThan(2);
    await expect.poll(() => panel.locator('.error-notice').innerText()).toBe('');
    // All of them, each once, in order; nothing older is left to show.
    const texts = await list.locator(':scope > li').allInnerTexts();
    expect(texts.flatMap((t) => /\breply (\d+)\b/.exec(t)?.[1] ?? [])).toEqual(
      Array.from({ length: REPLIES }, (_, i) => String(i)),
    );
    expect(await earlier.count()).toBe(0);
    await reply(0).scrollIntoViewIfNeeded();
    expect(await reply(0).isVisible()).toBe(true);

    // A reply arriving live still joins the list.
    await host.http('POST', `/v1/conversations/${direct.id}/messages`, {
      token: bob.token,
      body: { clientMsgId: 'live-one', content: { type: 'text', text: 'a live one' }, threadRootId: rootId },
    });
    await list.getByText('a live one').waitFor();
    expect(await list.locator(':scope > li').count()).toBe(REPLIES + 2);
  });

  it('a reply the address names, older than the newest page, is loaded, marked and focused', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const { rootId, seqs } = await longThread(host, ada, bob, direct.id);
    const { page, problems } = await openAs(browser, host, ada);
    await page.goto(`${host.url}/c/${direct.id}#thread=${rootId}&seq=${seqs[0]}`);
    const panel = page.getByRole('complementary', { name: 'Thread' });
    const oldest = panel
      .getByRole('list', { name: 'Thread messages' })
      .getByRole('listitem')
      .filter({ has: page.getByText('reply 0', { exact: true }) });
    await oldest.and(page.locator('.message-focus')).waitFor();
    await expect.poll(() => oldest.evaluate((el: any) => el === el.ownerDocument.activeElement)).toBe(true);
    // In view inside the panel, which scrolled to it.
    const [box, side] = await Promise.all([oldest.boundingBox(), panel.boundingBox()]);
    expect(box!.y).toBeGreaterThanOrEqual(side!.y);
    expect(box!.y + box!.height).toBeLessThanOrEqual(side!.y + side!.height);
    expect(problems.all).toEqual([]);
  });
});

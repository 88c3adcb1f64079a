/**
 * Pinned messages in the web client: Ada pins Bob's message from its actions; both browsers show
 * the pinned bar (its text without formatting markers) and the "pinned a message" line, live. In
 * a long conversation, scrolled away, the bar's pin brings that message back into view with the
 * focus. Ada unpins and the bar goes in both browsers.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { adaAndBob, chatSuite, focusedOn, messageItem, messageLog, openEach, postTexts } from './support/web-chat.js';

const pinnedBar = (page: Page) => page.getByRole('region', { name: 'Pinned messages' });

/** Whether the log's item with `text` is wholly inside the log's visible part. */
const inView = (page: Page, text: string) =>
  messageItem(page, text).evaluate((el: any) => {
    const log = el.closest('[role="log"]');
    const item = el.getBoundingClientRect();
    const box = log.getBoundingClientRect();
    return item.top >= box.top && item.bottom <= box.bottom;
  });

describe.skipIf(chromiumMissing)('web chat: pinned messages', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('Ada pins Bob’s message; the bar shows it live and brings it back into view; unpinning removes it', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const bobs = await host.connect(bob.token);
    const { message: plan } = await bobs.sendText(direct.id, 'The *launch* plan');
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob] as const);

    const actions = async (page: Page, name: string) => {
      const item = messageItem(page, 'The launch plan');
      await item.getByRole('button', { name }).click();
      return item.getByRole('group', { name: 'Message actions' });
    };
    await (
      await actions(a.page, 'Actions for the message from Bob Babbage')
    )
      .getByRole('button', { name: 'Pin' })
      .click();
    for (const page of [a.page, b.page]) {
      await pinnedBar(page)
        .getByRole('button', { name: 'Pinned: The launch plan. Show in the conversation' })
        .waitFor();
      await messageItem(page, 'Ada Lovelace pinned a message').waitFor();
    }
    expect(await pinnedBar(b.page).getByRole('button', { name: '1 pinned' }).isVisible()).toBe(true);

    // A long conversation: the pinned message scrolls far out of Bob's view.
    const later = Array.from({ length: 60 }, (_, i) => `Later message ${i + 1}`);
    await postTexts(host, ada, direct.id, later);
    await messageItem(b.page, 'Later message 60').waitFor();
    await expect.poll(() => inView(b.page, 'Later message 60')).toBe(true);
    expect(await inView(b.page, 'The launch plan')).toBe(false);

    await pinnedBar(b.page)
      .getByRole('button', { name: /^Pinned: The launch plan/ })
      .click();
    await expect.poll(() => inView(b.page, 'The launch plan')).toBe(true);
    expect((await focusedOn(b.page))?.message).toBe('The launch plan');

    // The list of pins: named, and closed by Escape with the focus back on its button.
    await pinnedBar(b.page).getByRole('button', { name: '1 pinned' }).click();
    const list = pinnedBar(b.page).getByRole('list', { name: 'Pinned messages, newest first' });
    expect(await list.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringMatching(/The launch plan\s+Pinned by Ada Lovelace/),
    ]);
    expect(await seriousAxeViolations(b.page)).toEqual([]);
    await b.page.keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    expect((await focusedOn(b.page))?.name).toBe('1 pinned');

    // Bob edits it: the bar shows the new words at once, in both browsers.
    await bobs.request({
      type: 'edit',
      conversationId: direct.id,
      messageId: plan.id,
      content: { type: 'text', text: 'The *launch* plan, v2' },
    });
    for (const page of [a.page, b.page])
      await pinnedBar(page)
        .getByRole('button', { name: /^Pinned: The launch plan, v2/ })
        .waitFor();

    // Ada finds it through the bar too, and unpins it from its actions.
    await pinnedBar(a.page)
      .getByRole('button', { name: /^Pinned: The launch plan/ })
      .click();
    await expect.poll(() => inView(a.page, 'The launch plan')).toBe(true);
    await (
      await actions(a.page, 'Actions for the message from Bob Babbage')
    )
      .getByRole('button', { name: 'Unpin' })
      .click();
    for (const page of [a.page, b.page]) {
      await pinnedBar(page).waitFor({ state: 'detached' });
      await messageItem(page, 'Ada Lovelace unpinned a message').waitFor();
    }
    expect(await messageLog(b.page).isVisible()).toBe(true);
    expect([...a.problems.all, ...b.problems.all]).toEqual([]);
  });
});

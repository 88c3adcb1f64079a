/**
 * Blocking in the web client: Ada blocks Bob from their direct chat's menu (⋯; asked first, focus on
 * Cancel); her composer gives way to a notice, and Bob's message is refused with neutral words. Her
 * profile, on another device, lists him; unblocking there brings her composer back live, and Bob's
 * retry goes through. The menu unblocks too (asked), and so does the notice's own Unblock (at once,
 * the composer taking the focus). An open thread's composer gives way to the same notice.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import {
  adaAndBob,
  chatSuite,
  composer,
  focusedOn,
  messageItem,
  openAs,
  openEach,
  postTexts,
  sendText,
} from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web chat: blocking a person', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('Ada blocks Bob from the menu, who cannot write to her any more, then unblocks him from her profile, the menu and the notice', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob] as const);
    await sendText(b.page, 'Before the block');
    await messageItem(a.page, 'Before the block').waitFor();

    // Block is in the conversation's menu, not beside Mute in the header.
    expect(await a.page.getByRole('button', { name: 'Block Bob Babbage' }).count()).toBe(0);
    await blockFromMenu(a.page);
    const question = a.page.getByRole('group', { name: /^Block Bob Babbage\?/ });
    await question.waitFor();
    expect((await focusedOn(a.page))?.name).toBe('Cancel');
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    // Cancel keeps things as they are and gives the focus back to the menu's button.
    await question.getByRole('button', { name: 'Cancel' }).click();
    await question.waitFor({ state: 'detached' });
    expect((await focusedOn(a.page))?.name).toBe('More actions');
    await composer(a.page).waitFor();
    await blockFromMenu(a.page);
    await question.getByRole('button', { name: 'Block', exact: true }).click();

    const notice = blockedNotice(a.page);
    await notice.waitFor();
    await composer(a.page).waitFor({ state: 'detached' });
    expect((await focusedOn(a.page))?.name).toBe('More actions');
    await notice.getByRole('button', { name: 'Unblock Bob Babbage' }).waitFor();
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    // What was said before stays.
    await messageItem(a.page, 'Before the block').waitFor();

    // Bob is told no more than that his message was not sent: no notice, no Unblock.
    await sendText(b.page, 'Are you there?');
    const refused = messageItem(b.page, 'Are you there?');
    await refused.getByText('Not sent: You can’t send messages in this conversation right now.').waitFor();
    expect(await refused.innerText()).not.toMatch(/block/i);
    expect(await b.page.getByText(/You blocked/).count()).toBe(0);
    expect(await b.page.getByRole('button', { name: /^Unblock/ }).count()).toBe(0);

    // Her profile, on another device, lists him; unblocking there reaches the open chat at once.
    const phone = await openAs(browser, host, ada);
    await phone.page.goto(`${host.url}/profile`);
    const blocked = phone.page.getByRole('region', { name: 'Blocked people' });
    await blocked.getByText('Bob Babbage').waitFor();
    expect(await seriousAxeViolations(phone.page)).toEqual([]);
    await blocked.getByRole('button', { name: 'Unblock Bob Babbage' }).click();
    await blocked.getByText('You have not blocked anyone.').waitFor();
    await composer(a.page).waitFor();
    await notice.waitFor({ state: 'detached' });

    await refused.getByRole('button', { name: 'Retry' }).click();
    await messageItem(a.page, 'Are you there?').waitFor();

    // Blocking again, then unblocking from the menu: asked too.
    await blockFromMenu(a.page);
    await a.page.getByRole('button', { name: 'Block', exact: true }).click();
    await notice.waitFor();
    await a.page.getByRole('button', { name: 'More actions' }).click();
    await a.page
      .getByRole('group', { name: 'More actions' })
      .getByRole('button', { name: 'Unblock Bob Babbage' })
      .click();
    await a.page
      .getByRole('group', { name: /^Unblock Bob Babbage\?/ })
      .getByRole('button', { name: 'Unblock' })
      .click();
    await composer(a.page).waitFor();

    // And from the notice itself, in one step: the composer is back, with the focus.
    await blockFromMenu(a.page);
    await a.page.getByRole('button', { name: 'Block', exact: true }).click();
    await notice.getByRole('button', { name: 'Unblock Bob Babbage' }).click();
    await composer(a.page).waitFor();
    await notice.waitFor({ state: 'detached' });
    expect((await focusedOn(a.page))?.name).toBe('Message');
    await sendText(a.page, 'Back again');
    await messageItem(b.page, 'Back again').waitFor();
    expect([...a.problems.all, ...b.problems.all, ...phone.problems.all]).toEqual([]);
  });

  it('an open thread gives way to the same notice, whose Unblock brings both composers back', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Lunch on Friday?']);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob] as const);
    for (const { page } of [a, b]) {
      const root = messageItem(page, 'Lunch on Friday?');
      await root.getByRole('button', { name: /^Actions for/ }).click();
      await root.getByRole('button', { name: 'Reply in thread' }).click();
    }
    const panel = threadPanel(a.page);
    await panel.getByRole('textbox', { name: 'Reply in thread' }).waitFor();

    await blockFromMenu(a.page);
    await a.page.getByRole('button', { name: 'Block', exact: true }).click();
    const inThread = blockedNotice(panel);
    await inThread.waitFor();
    await panel.getByRole('textbox', { name: 'Reply in thread' }).waitFor({ state: 'detached' });
    // The conversation's notice too: one under the log, one in the thread.
    expect(await blockedNotice(a.page).count()).toBe(2);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    // Bob, blocked, keeps his thread's composer: he is not told.
    await threadPanel(b.page).getByRole('textbox', { name: 'Reply in thread' }).waitFor();
    expect(await b.page.getByText(/You blocked/).count()).toBe(0);

    // Closed and opened again while blocked, the thread shows the notice and takes the focus.
    await panel.getByRole('button', { name: 'Close thread' }).click();
    await panel.waitFor({ state: 'detached' });
    await messageItem(a.page, 'Lunch on Friday?')
      .getByRole('button', { name: /^Actions for/ })
      .click();
    await messageItem(a.page, 'Lunch on Friday?').getByRole('button', { name: 'Reply in thread' }).click();
    await inThread.waitFor();
    expect((await focusedOn(a.page))?.name).toBe('Close thread');

    await inThread.getByRole('button', { name: 'Unblock Bob Babbage' }).click();
    const reply = panel.getByRole('textbox', { name: 'Reply in thread' });
    await reply.waitFor();
    await composer(a.page).waitFor();
    expect((await focusedOn(a.page))?.name).toBe('Reply in thread');
    await reply.fill('Yes, at noon');
    await reply.press('Enter');
    await threadPanel(b.page).getByText('Yes, at noon').waitFor();
    expect([...a.problems.all, ...b.problems.all]).toEqual([]);
  });
});

/** Opens the direct chat's menu and chooses Block in it. */
async function blockFromMenu(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'More actions' }).click();
  await page.getByRole('group', { name: 'More actions' }).getByRole('button', { name: 'Block Bob Babbage' }).click();
}

/** The notice in a composer's place while Ada blocks Bob (the conversation's, or a thread's). */
const blockedNotice = (within: Page | Locator): Locator =>
  within.getByRole('group', { name: 'You blocked Bob Babbage. Unblock to send messages.' });

const threadPanel = (page: Page): Locator => page.getByRole('complementary', { name: 'Thread' });

/**
 * The chat screen from the keyboard only: opening a conversation puts the focus in the composer
 * (what is typed next is sent, not lost), the message log is one Tab stop on the way to the
 * composer however long it is, arrow keys move between its messages, and Enter opens a message's
 * actions.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import {
  adaAndBob,
  chatSuite,
  composer,
  conversationLink,
  focusedOn,
  messageItem,
  messageLog,
  openAs,
  openConversation,
  postTexts,
  sendText,
} from './support/web-chat.js';

/** Whether `locator` has the focus (waiting for it: a render may come after the key press). */
const focused = (locator: Locator) =>
  expect.poll(() => locator.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);

/** Presses Tab until `done` holds of the focus, at most `max` times; how many presses it took. */
async function tabUntil(page: Page, done: (now: Awaited<ReturnType<typeof focusedOn>>) => boolean, max = 80) {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press('Tab');
    if (done(await focusedOn(page))) return presses;
  }
  throw new Error(`not reached in ${max} Tabs; the focus is on ${JSON.stringify(await focusedOn(page))}`);
}

describe.skipIf(chromiumMissing)('web chat: the keyboard', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('a conversation opened from the list with the keyboard takes what is typed next, and says which one it is', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Are you there?']);
    const { page, problems } = await openAs(browser, host, ada);
    await conversationLink(page, /Bob Babbage/).waitFor();

    await tabUntil(page, (now) => !!now?.name.includes('Bob Babbage'), 30);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${host.url}/c/${direct.id}`);
    await expect.poll(async () => (await focusedOn(page))?.name).toBe('Message');
    await page.keyboard.type('Typed straight away');
    await page.keyboard.press('Enter');
    await messageItem(page, 'Typed straight away').getByText('Sending…').waitFor({ state: 'detached' });
    await expect.poll(() => composer(page).inputValue()).toBe('');

    // A screen reader hears the conversation's name with the composer; the heading is still there to find.
    const description = await composer(page).evaluate(
      (el: any) => el.ownerDocument.getElementById(el.getAttribute('aria-describedby'))?.textContent,
    );
    expect(description).toBe('Bob Babbage');
    await page.getByRole('heading', { name: 'Bob Babbage', level: 1 }).waitFor();
    expect(problems.all).toEqual([]);
  });

  it('a long log is one Tab stop: arrows move between messages, Enter opens their actions', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(
      host,
      bob,
      direct.id,
      Array.from({ length: 60 }, (_, i) => `Line ${i + 1}`),
    );
    const { page, problems } = await openAs(browser, host, ada);
    await openConversation(page, host, direct.id);
    await messageItem(page, 'Line 60').waitFor();
    const toggles = await messageLog(page)
      .getByRole('button', { name: /^Actions for/ })
      .count();
    expect(toggles).toBeGreaterThanOrEqual(50);

    // Into the log from above: the newest message, then out to the composer in a few Tabs.
    await page.getByRole('heading', { name: 'Bob Babbage', level: 1 }).click();
    await tabUntil(page, (now) => (now?.message ?? null) !== null, 10);
    expect((await focusedOn(page))?.message).toBe('Line 60');
    expect(await tabUntil(page, (now) => now?.name === 'Message')).toBeLessThanOrEqual(3);

    // Back into the log, and through it with the arrows.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await expect.poll(async () => (await focusedOn(page))?.message).toBe('Line 60');
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await focusedOn(page))?.message).toBe('Line 59');
    await page.keyboard.press('ArrowUp');
    await expect.poll(async () => (await focusedOn(page))?.message).toBe('Line 58');
    await page.keyboard.press('ArrowDown');
    await expect.poll(async () => (await focusedOn(page))?.message).toBe('Line 59');
    // Read by what it says.
    const item = messageLog(page).getByRole('listitem', { name: /Bob Babbage.*Line 59$/ });
    expect(await item.evaluate((el: any) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Enter opens its actions; Tab goes through them; Reply takes the focus back to the composer.
    await page.keyboard.press('Enter');
    const actions = messageItem(page, 'Line 59').getByRole('group', { name: 'Message actions' });
    await actions.waitFor();
    expect((await focusedOn(page))?.name).toBe('Actions for the message from Bob Babbage');
    await page.keyboard.press('Tab');
    expect((await focusedOn(page))?.name).toBe('Reply');
    await page.keyboard.press('Enter');
    await page.getByText('Replying to Bob Babbage:').waitFor();
    await expect.poll(async () => (await focusedOn(page))?.name).toBe('Message');
    await page.keyboard.type('Answering line 59');
    await page.keyboard.press('Enter');
    await messageItem(page, 'Answering line 59').locator('.reply-quote').getByText('Line 59').waitFor();

    // The message last visited is where Tab enters the log again; End and Home reach either end.
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await expect.poll(async () => (await focusedOn(page))?.message).toBe('Line 59');
    await page.keyboard.press('End');
    await expect.poll(async () => (await focusedOn(page))?.message).toBe('Answering line 59');
    const oldest = await messageLog(page).locator('.message-list > li .message-text').first().textContent();
    await page.keyboard.press('Home');
    await expect.poll(async () => (await focusedOn(page))?.message).toBe(oldest);
    // Older messages loaded above (scrolled to the top) leave the focus where it was.
    await messageLog(page).evaluate((el) => (el.scrollTop = 0));
    await messageLog(page).locator('.message-text').getByText('Line 1', { exact: true }).waitFor();
    expect((await focusedOn(page))?.message).toBe(oldest);
    await page.keyboard.press('Home');
    await expect.poll(async () => (await focusedOn(page))?.message).toBe('Line 1');
    expect(problems.all).toEqual([]);
  });

  it('editing, deleting and threads keep the focus: every edit box takes typing, closing returns the focus', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['A question from Bob']);
    const { page, problems } = await openAs(browser, host, ada);
    await openConversation(page, host, direct.id);
    await sendText(page, 'First draft');
    // Found by place, not text: while edited its text is in the box, not the item's text.
    const mine = messageLog(page).locator('.message-list > li.mine');
    const toggle = mine.getByRole('button', { name: /^Actions for/ });
    const edit = mine.getByRole('textbox', { name: 'Edit your message' });
    await mine.getByText('Sending…').waitFor({ state: 'detached' });

    // Edit, then Escape: the message keeps the focus. Twice (autofocus worked only once a page).
    for (const round of [1, 2]) {
      await toggle.click();
      await mine.getByRole('button', { name: 'Edit', exact: true }).click();
      await focused(edit);
      await page.keyboard.press('Escape');
      await edit.waitFor({ state: 'detached' });
      await expect
        .poll(async () => (await focusedOn(page))?.message, { message: `round ${round}` })
        .toBe('First draft');
    }
    // A third time, typing goes into the box, and Enter saves; the message keeps the focus.
    await toggle.click();
    await mine.getByRole('button', { name: 'Edit', exact: true }).click();
    await focused(edit);
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Second draft');
    await page.keyboard.press('Enter');
    await mine.getByText('(edited)').waitFor();
    await expect.poll(async () => (await focusedOn(page))?.message).toBe('Second draft');

    // Delete asks with its answer focused; "Keep it" returns to ⋯, "Delete it" to the message.
    await toggle.click();
    await mine.getByRole('button', { name: 'Delete', exact: true }).click();
    await focused(mine.getByRole('button', { name: 'Delete it' }));
    await mine.getByRole('button', { name: 'Keep it' }).click();
    await focused(toggle);
    await page.keyboard.press('Tab');
    expect((await focusedOn(page))?.name).toBe('Reply');
    await mine.getByRole('button', { name: 'Delete', exact: true }).click();
    await focused(mine.getByRole('button', { name: 'Delete it' }));
    await page.keyboard.press('Enter');
    await mine.getByText('This message was deleted').waitFor();
    await focused(mine);

    // A thread opened from the actions closes (Escape) back to its message's ⋯ button...
    const theirs = messageItem(page, 'A question from Bob');
    const theirToggle = theirs.getByRole('button', { name: /^Actions for/ });
    await theirToggle.click();
    await theirs.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = page.getByRole('complementary', { name: 'Thread' });
    const box = panel.getByRole('textbox', { name: 'Reply in thread' });
    await focused(box);
    await box.fill('An answer in the thread');
    await box.press('Enter');
    await panel.getByRole('list', { name: 'Thread messages' }).getByText('An answer in the thread').waitFor();
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
    await focused(theirToggle);
    // ...and one opened with "1 reply" closes ("Close thread") back to that button.
    const count = theirs.getByRole('button', { name: '1 reply' });
    await count.click();
    await focused(box);
    await panel.getByRole('button', { name: 'Close thread' }).click();
    await panel.waitFor({ state: 'detached' });
    await focused(count);
    expect(problems.all).toEqual([]);
  });

  it('muting, New chat, New group and Search put the focus where work goes on', async () => {
    const { host, browser } = suite;
    const { ada, direct } = await adaAndBob(host);
    const { page, problems } = await openAs(browser, host, ada);
    await openConversation(page, host, direct.id);
    await page.getByRole('button', { name: 'Mute', exact: true }).click();
    await page.getByRole('button', { name: 'For 1 hour' }).click();
    await focused(page.getByRole('button', { name: 'Unmute' }));
    await page.keyboard.press('Enter');
    await focused(page.getByRole('button', { name: 'Mute', exact: true }));

    await page.goto(`${host.url}/`);
    await page.getByRole('button', { name: 'New chat' }).click();
    await focused(page.getByLabel('Their handle'));
    await page.getByRole('button', { name: 'New group' }).click();
    await focused(page.getByLabel('Group name'));
    await page.getByRole('link', { name: 'Search messages' }).click();
    await focused(page.getByLabel('Words to find'));
    expect(problems.all).toEqual([]);
  });
});

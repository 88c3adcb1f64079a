/**
 * The web client's conversation view: sending, editing, deleting, reacting, replying, reading back
 * through history, and slash commands, with two people in two browser contexts on a real host.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { eventually } from './support/eventually.js';
import { enable, probeManifest, roomWith } from './support/plugin-helpers.js';
import {
  composer,
  messageItem,
  messageLog,
  openAs,
  openConversation,
  postTexts,
  readAll,
  sendText,
  chatSuite,
  adaAndBob,
  openEach,
} from './support/web-chat.js';

/** Opens a message's actions and presses one of them. */
async function act(page: Page, text: string, action: string | RegExp): Promise<void> {
  const item = messageItem(page, text);
  await item.getByRole('button', { name: /^Actions for/ }).click();
  await item.getByRole('group', { name: 'Message actions' }).getByRole('button', { name: action, exact: true }).click();
}

describe.skipIf(chromiumMissing)('web chat: messaging', { timeout: 120_000 }, () => {
  const suite = chatSuite({
    config: {
      plugins: {
        enabled: [enable(probeManifest('echoer', { echo: true }), { settings: { echoCommand: 'echo' } })],
      },
    },
  });

  it('sends with Enter (Shift+Enter is a new line), edits, deletes, reacts and replies, live on both sides', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob]);

    await composer(a.page).fill('Line one');
    await composer(a.page).press('Shift+Enter');
    await composer(a.page).pressSequentially('line two');
    await composer(a.page).press('Enter');
    await sendText(a.page, 'A typo here');
    const first = messageItem(b.page, 'Line one');
    expect(await first.locator('.message-text').innerText()).toBe('Line one\nline two');
    await first.getByText('Ada Lovelace').waitFor();
    expect(await first.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await messageItem(a.page, 'Line one').getAttribute('class')).toContain('mine');
    await messageItem(a.page, 'Line one').getByRole('button', { name: 'Actions for your message' }).waitFor();
    expect(await first.getAttribute('class')).toContain('theirs');
    // Both are on their way to Bob's page: the order is read once the second is there too.
    await messageItem(b.page, 'A typo here').waitFor();
    const order = await messageLog(b.page).locator('.message-text').allInnerTexts();
    expect(order).toEqual(['Line one\nline two', 'A typo here']);

    // Edit inline: Escape cancels, Enter saves.
    await act(a.page, 'A typo here', 'Edit');
    const editor = a.page.getByRole('textbox', { name: 'Edit your message' });
    await editor.fill('discarded change');
    await editor.press('Escape');
    await messageItem(a.page, 'A typo here').waitFor();
    await act(a.page, 'A typo here', 'Edit');
    await editor.fill('No typo here');
    await editor.press('Enter');
    await messageItem(b.page, 'No typo here').getByText('(edited)').waitFor();
    // Bob may not edit or delete Ada's message.
    await messageItem(b.page, 'No typo here')
      .getByRole('button', { name: /^Actions for/ })
      .click();
    const bobsActions = messageItem(b.page, 'No typo here').getByRole('group', { name: 'Message actions' });
    await bobsActions.getByRole('button', { name: 'Reply', exact: true }).waitFor();
    expect(await bobsActions.getByRole('button', { name: /^(Edit|Delete)$/ }).count()).toBe(0);

    // React: toggled, counted, and who reacted is in the chip's name.
    await bobsActions.getByRole('button', { name: 'React with 👍' }).click();
    const chip = (page: Page) => messageItem(page, 'No typo here').locator('.reaction');
    await messageItem(a.page, 'No typo here').getByRole('button', { name: '👍 1: Bob Babbage' }).click();
    await messageItem(b.page, 'No typo here')
      .getByRole('button', { name: '👍 2: Bob Babbage and Ada Lovelace' })
      .waitFor();
    // Bob's page has both reactions; Ada's own page shows hers once its update reaches it.
    await expect.poll(() => chip(a.page).getAttribute('aria-pressed')).toBe('true');
    await messageItem(b.page, 'No typo here').getByRole('button', { name: /^👍 2/ }).click();
    await messageItem(a.page, 'No typo here').getByRole('button', { name: '👍 1: Ada Lovelace' }).waitFor();

    // Reply: the quote shows on both sides.
    await act(b.page, 'Line one', 'Reply');
    await b.page.getByText('Replying to Ada Lovelace:').waitFor();
    await expect(
      b.page.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('aria-label')),
    ).resolves.toBe('Message');
    await b.page.keyboard.type('Two lines, nice');
    await b.page.keyboard.press('Enter');
    const reply = messageItem(a.page, 'Two lines, nice');
    // Ada's own message, quoted in her own view, is hers: "yourself", not her name.
    await reply.locator('.reply-quote').getByText('Replying to yourself:').waitFor();
    await reply.locator('.reply-quote').getByText('Line one').waitFor();
    await messageItem(b.page, 'Two lines, nice')
      .locator('.reply-quote')
      .getByText('Replying to Ada Lovelace:')
      .waitFor();
    // Replying to her own message, the banner says so too.
    const lineOne = messageItem(a.page, 'Line one').filter({ hasNotText: 'Two lines, nice' });
    await lineOne.getByRole('button', { name: 'Actions for your message' }).click();
    await lineOne
      .getByRole('group', { name: 'Message actions' })
      .getByRole('button', { name: 'Reply', exact: true })
      .click();
    await a.page.locator('.reply-banner').getByText('Replying to yourself:').waitFor();
    await a.page.getByLabel('Language').selectOption('fr');
    await a.page.locator('.reply-banner').getByText('Réponse à vous-même :').waitFor();
    await reply.locator('.reply-quote').getByText('En réponse à vous-même :').waitFor();
    await a.page.getByRole('button', { name: 'Annuler la réponse' }).click();
    await a.page.getByLabel('Langue').selectOption('en');

    // Delete my own: a tombstone for everyone.
    await act(a.page, 'No typo here', 'Delete');
    await messageItem(a.page, 'No typo here').getByRole('button', { name: 'Delete it' }).click();
    await messageItem(b.page, 'This message was deleted.').waitFor();
    expect(await messageLog(b.page).getByText('No typo here').count()).toBe(0);
    expect([...a.problems.all, ...b.problems.all]).toEqual([]);
  });

  it("a group's owner deletes anyone's message; a member only their own", async () => {
    const { host, browser } = suite;
    const ada = await host.createUser({ displayName: 'Ada Lovelace' });
    const bob = await host.createUser({ displayName: 'Bob Babbage' });
    const group = await host.createGroup(ada, [bob], 'Moderated');
    await postTexts(host, bob, group.id, ['Something rude']);
    await postTexts(host, ada, group.id, ['House rules']);
    const [a, b] = await openEach(browser, host, group.id, [ada, bob]);
    await messageItem(b.page, 'House rules')
      .getByRole('button', { name: /^Actions for/ })
      .click();
    await messageItem(b.page, 'House rules').getByRole('button', { name: 'Reply', exact: true }).waitFor();
    expect(await messageItem(b.page, 'House rules').getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await act(a.page, 'Something rude', 'Delete');
    await messageItem(a.page, 'Something rude').getByRole('button', { name: 'Delete it' }).click();
    await eventually(async () => (await messageLog(b.page).getByText('Something rude').count()) === 0);
    await messageItem(b.page, 'This message was deleted.').waitFor();
  });

  it('scrolls back through history, keeping what was on screen in place, without gaps or duplicates', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(
      host,
      bob,
      direct.id,
      Array.from({ length: 120 }, (_, i) => `History ${i + 1}`),
    );
    // Read already: unread, the log would open where they start ("New messages"), not at the newest.
    await readAll(host, ada, direct.id);
    const { page } = await openAs(browser, host, ada);
    await openConversation(page, host, direct.id);
    const log = messageLog(page);
    await log.locator('[data-seq="120"]').waitFor();
    await eventually(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 2), {
      what: 'the log to open at the newest message',
    });
    expect(await log.locator('[data-seq="1"]').count()).toBe(0);

    const oldest = Number(await log.locator('[data-seq]').first().getAttribute('data-seq'));
    expect(oldest).toBeGreaterThan(1);
    // Measured at its text: once older messages of Bob's run come in above, its name line goes.
    const before = await log.evaluate((el, seq) => {
      el.scrollTop = 0;
      const item = el.querySelector(`[data-seq="${seq}"] .message-text`)!;
      return item.getBoundingClientRect().top - el.getBoundingClientRect().top;
    }, oldest);
    await log.locator(`[data-seq="${oldest - 1}"]`).waitFor({ state: 'attached' });
    const after = await log.evaluate((el, seq) => {
      const item = el.querySelector(`[data-seq="${seq}"] .message-text`)!;
      return item.getBoundingClientRect().top - el.getBoundingClientRect().top;
    }, oldest);
    expect(Math.abs(after - before)).toBeLessThan(2);

    // Up to the very start, each message exactly once, in order.
    await eventually(
      async () => {
        await log.evaluate((el) => (el.scrollTop = 0));
        return (await log.locator('[data-seq="1"]').count()) === 1;
      },
      { what: 'the first message after scrolling back', timeoutMs: 20_000 },
    );
    await page.getByText('This is the start of the conversation.').waitFor();
    const seqs = await log
      .locator('[data-seq]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    expect(seqs).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('runs a slash command and shows its answer to the caller only', async () => {
    const { host, browser } = suite;
    const ada = await host.createUser({ displayName: 'Ada Lovelace' });
    const bob = await host.createUser({ displayName: 'Bob Babbage' });
    const room = await roomWith(host, ada, ['echoer'], [bob]);
    const [a, b] = await openEach(browser, host, room.id, [ada, bob]);
    await sendText(a.page, '/echo 3 words');
    const note = messageLog(a.page).locator('.command-note');
    await note.getByText('Only you can see this · /echo').waitFor();
    expect(await note.locator('.message-text').innerText()).toContain('words');
    await expect(composer(a.page).inputValue()).resolves.toBe('');

    await sendText(a.page, '/nosuchcommand');
    await a.page.getByRole('alert').filter({ hasText: 'No such command here.' }).waitFor();
    // Nothing of it reached Bob: his log has the room's system lines only.
    await sendText(a.page, 'after the commands');
    await messageItem(b.page, 'after the commands').waitFor();
    expect(await messageLog(b.page).locator('.command-note').count()).toBe(0);
    expect(await messageLog(b.page).getByText('/echo').count()).toBe(0);
  });
  it("opening my message's actions leaves the toggle where it was, and the same spot closes them", async () => {
    const { host, browser } = suite;
    const { ada, direct } = await adaAndBob(host);
    const { page } = await openAs(browser, host, ada, { viewport: { width: 1280, height: 800 } });
    await openConversation(page, host, direct.id);
    await sendText(page, 'Mine, on the right');
    const item = messageItem(page, 'Mine, on the right');
    const toggle = item.getByRole('button', { name: 'Actions for your message' });
    const panel = item.getByRole('group', { name: 'Message actions' });
    const before = await toggle.boundingBox();
    await toggle.click();
    await panel.getByRole('button', { name: 'Reply', exact: true }).waitFor();
    expect(await toggle.boundingBox()).toEqual(before);
    await page.mouse.click(before!.x + before!.width / 2, before!.y + before!.height / 2);
    await panel.waitFor({ state: 'hidden' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
  });

  it("each message's actions toggle sits beside its bubble (after theirs, before mine), on a phone too", async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Theirs, on the left']);
    await postTexts(host, ada, direct.id, ['Mine, on the right side']);
    for (const width of [1280, 390]) {
      const { page } = await openAs(browser, host, ada, { viewport: { width, height: 800 } });
      await openConversation(page, host, direct.id);
      for (const [text, mine] of [
        ['Theirs, on the left', false],
        ['Mine, on the right side', true],
      ] as const) {
        const item = messageItem(page, text);
        const bubble = (await item.locator('.bubble').boundingBox())!;
        const toggle = (await item.getByRole('button', { name: /^Actions for/ }).boundingBox())!;
        // In the bubble's row (not a line of its own under it), on the side away from the sender's edge.
        expect(toggle.y).toBeLessThan(bubble.y + bubble.height);
        expect(toggle.y + toggle.height).toBeGreaterThan(bubble.y);
        if (mine) expect(toggle.x + toggle.width).toBeLessThanOrEqual(bubble.x);
        else expect(toggle.x).toBeGreaterThanOrEqual(bubble.x + bubble.width);
        // Opened, the actions take the row under the bubble.
        await item.getByRole('button', { name: /^Actions for/ }).click();
        const panel = (await item.getByRole('group', { name: 'Message actions' }).boundingBox())!;
        expect(panel.y).toBeGreaterThanOrEqual(bubble.y + bubble.height);
        await item.getByRole('button', { name: /^Actions for/ }).click();
      }
      await page.context().close();
    }
  });

  it('back-to-back messages of one sender show who and when once, each still named whole', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Run one', 'Run two', 'Run three']);
    await postTexts(host, ada, direct.id, ['Mine after']);
    const { page } = await openAs(browser, host, ada);
    await openConversation(page, host, direct.id);
    await messageItem(page, 'Mine after').waitFor();
    // Whether who and when show (read by screen readers only, they take no line of the bubble).
    const nameShown = async (text: string) => {
      const found = await messageItem(page, text).locator('.message-meta').boundingBox();
      return found !== null && found.height > 1;
    };
    expect(await nameShown('Run one')).toBe(true);
    expect(await nameShown('Run two')).toBe(false);
    expect(await nameShown('Run three')).toBe(false);
    expect(await nameShown('Mine after')).toBe(true);
    // Read one by one (the arrow keys), each message still says who sent it and when.
    for (const text of ['Run two', 'Run three']) {
      await messageLog(page)
        .getByRole('listitem', { name: new RegExp(`^Bob Babbage \\d{1,2}:\\d{2}\\s?[AP]M ${text}$`) })
        .waitFor();
    }
  });
});

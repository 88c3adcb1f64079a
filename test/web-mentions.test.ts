/**
 * Mentions in the web client: "@" in the composer lists the conversation's members (and @all for a
 * group's owner), the keyboard picks one, and the sent message marks the mention, for the person
 * mentioned most of all. The list follows the caret, also back in the middle of the text.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import {
  adaBobAndCarolIn,
  chatSuite,
  composer,
  messageItem,
  openAs,
  openConversation,
  openEach,
} from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: mentions', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('lists members after @, picks one by keyboard, and marks the mention for the one mentioned', async () => {
    const { host, browser } = suite;
    const { ada, bob, carol, group } = await adaBobAndCarolIn(host, 'Engine room');
    const a = await openAs(browser, host, ada);
    const usersAsked: string[] = [];
    a.page.on('request', (request) => {
      const user = /\/v1\/users\/([^/?]+)$/.exec(new URL(request.url()).pathname);
      if (user) usersAsked.push(user[1]!);
    });
    // The screen lists the members for its receipts; the picker asks nothing until "@" is typed.
    const listed = a.page.waitForResponse((r) => r.url().includes(`/v1/conversations/${group.id}/members`));
    await openConversation(a.page, host, group.id);
    await composer(a.page).waitFor();
    await listed;
    // Preact runs effects after the next frame: past it, a picker fetching members' users would have asked.
    await a.page.evaluate(
      () => new Promise((done) => (globalThis as any).requestAnimationFrame(() => setTimeout(done, 0))),
    );
    expect(usersAsked.filter((id) => id === bob.id || id === carol.id)).toEqual([]);
    const [b] = await openEach(browser, host, group.id, [bob] as const);

    await composer(a.page).fill('Over to @');
    const list = a.page.getByRole('listbox', { name: 'People to mention' });
    await list.getByRole('option', { name: /Bob Babbage/ }).waitFor();
    await list.getByRole('option', { name: /Carol Shaw/ }).waitFor();
    await list.getByRole('option', { name: /Everyone in this group/ }).waitFor();
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await composer(a.page).pressSequentially('ba');
    // Each key is answered by the list's next render, which may come after the key press returns.
    await eventually(
      async () => {
        expect(await list.getByRole('option').allTextContents()).toEqual([`@${bob.handle}Bob Babbage`]);
        return true;
      },
      { what: 'only Bob listed' },
    );
    await composer(a.page).press('Enter');
    await eventually(async () => (await composer(a.page).inputValue()) === `Over to @${bob.handle} `, {
      what: 'the mention picked',
    });
    await list.waitFor({ state: 'detached' });
    await composer(a.page).pressSequentially('for the figures');
    await composer(a.page).press('Enter');

    const text = `Over to @${bob.handle} for the figures`;
    const seen = messageItem(b.page, text);
    await seen.locator('.mention-me', { hasText: `@${bob.handle}` }).waitFor();
    expect(await messageItem(a.page, text).locator('.mention').textContent()).toBe(`@${bob.handle}`);
    expect(await messageItem(a.page, text).locator('.mention-me').count()).toBe(0);
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages?limit=1`, { token: bob.token });
    expect(history.body.messages[0].entities).toEqual([
      { type: 'mention', offset: 'Over to '.length, length: bob.handle.length + 1, userId: bob.id },
    ]);
  });

  it('follows the caret back into the text: picks in place there, and closes when the caret leaves the @word', async () => {
    const { host, browser } = suite;
    const { ada, bob, group } = await adaBobAndCarolIn(host, 'Engine room');
    const a = await openAs(browser, host, ada);
    await openConversation(a.page, host, group.id);
    const box = composer(a.page);
    await box.pressSequentially('see you there');
    await box.press('Home');
    for (let i = 0; i < 'see '.length; i++) await box.press('ArrowRight');
    await box.pressSequentially('@bo');
    const list = a.page.getByRole('listbox', { name: 'People to mention' });
    await list.getByRole('option', { name: /Bob Babbage/ }).waitFor();
    expect(await list.getByRole('option').count()).toBe(1);

    // Out of the @word (to the end of the text) the list goes; back into it, it comes back.
    await box.press('End');
    await list.waitFor({ state: 'detached' });
    await box.press('Home');
    for (let i = 0; i < 'see @bo'.length; i++) await box.press('ArrowRight');
    await list.getByRole('option', { name: /Bob Babbage/ }).waitFor();

    await box.press('Enter');
    const expected = `see @${bob.handle} you there`;
    await expect.poll(() => box.inputValue()).toBe(expected);
    const caret = await box.evaluate((field: any) => [field.selectionStart, field.selectionEnd]);
    const afterMention = `see @${bob.handle} `.length;
    expect(caret).toEqual([afterMention, afterMention]);
    await list.waitFor({ state: 'detached' });

    // The picker closed, Enter sends, wherever the caret is.
    await box.press('Enter');
    await messageItem(a.page, expected)
      .locator('.mention', { hasText: `@${bob.handle}` })
      .waitFor();
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages?limit=1`, { token: bob.token });
    expect(history.body.messages[0].content.text).toBe(expected);
    expect(history.body.messages[0].entities).toEqual([
      { type: 'mention', offset: 'see '.length, length: bob.handle.length + 1, userId: bob.id },
    ]);
  });

  it('a key typed before the next frame meets the list as shown (CI once sent the text instead)', async () => {
    const { host, browser } = suite;
    const [ada, bob] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
    ]);
    const direct = await host.direct(ada, bob);
    const a = await openAs(browser, host, ada);
    await openConversation(a.page, host, direct.id);
    await composer(a.page).fill('Over to @');
    const list = a.page.getByRole('listbox', { name: 'People to mention' });
    await list.getByRole('option', { name: /Bob Babbage/ }).waitFor();
    // A fast typist: each key a task of its own, Enter before any frame could be drawn.
    await composer(a.page).evaluate(async (field: any) => {
      const nextTask = () => new Promise((done) => setTimeout(done, 0));
      for (const key of ['b', 'a']) {
        field.value += key;
        field.dispatchEvent(new (globalThis as any).Event('input', { bubbles: true }));
        await nextTask();
      }
      field.dispatchEvent(
        new (globalThis as any).KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
      );
    });
    // The pick is rendered after the key's handler, which may be after the script returns.
    await expect.poll(() => composer(a.page).inputValue()).toBe(`Over to @${bob.handle} `);
  });
});

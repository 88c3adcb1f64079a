/**
 * Dropping files on a conversation: anywhere on its screen (the log, the header, not only the
 * composer) stages them as the composer's drop did, with the screen marked while files are dragged
 * over it. A drop anywhere else in the page is refused, so the browser never opens the file in
 * place of the app; nor does a thread's panel take files (its composer has none).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { adaAndBob, chatSuite, composer, messageItem, openEach, postTexts } from './support/web-chat.js';

/**
 * Fires a drag event carrying one text file at the element `selector` names, as the browser does
 * for a file dragged from the desktop; answers whether the page let the browser's default happen
 * (true: a drop would open the file).
 */
function dragFile(page: Page, selector: string, type: string, name = 'notes.txt'): Promise<boolean> {
  return page.evaluate(
    ([selector, type, name]) => {
      const dom = globalThis as any;
      const data = new dom.DataTransfer();
      data.items.add(new dom.File(['Minutes of the meeting'], name, { type: 'text/plain' }));
      const target = dom.document.querySelector(selector);
      if (!target) throw new Error(`nothing matches ${selector}`);
      return target.dispatchEvent(new dom.DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    },
    [selector, type, name] as const,
  );
}

describe.skipIf(chromiumMissing)('web client: dropping files on a conversation', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('takes files dropped anywhere on the conversation, shows where, and never lets the browser open one', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Send me the minutes']);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob] as const);
    const page = a.page;
    const hint = page.getByText('Drop files here to attach them');
    const staged = page.getByRole('list', { name: 'Files to send' });

    // Over the log: the screen takes the drag (cancels it) and says so over the whole of itself.
    expect(await dragFile(page, '.message-log', 'dragenter')).toBe(false);
    expect(await dragFile(page, '.message-log', 'dragover')).toBe(false);
    await hint.waitFor();
    const [hintBox, screenBox] = await Promise.all([
      hint.boundingBox(),
      page.getByRole('region', { name: 'Bob Babbage' }).boundingBox(),
    ]);
    expect(hintBox).toEqual(screenBox);
    // Leaving the window ends it.
    await dragFile(page, '.message-log', 'dragleave');
    await hint.waitFor({ state: 'detached' });

    expect(await dragFile(page, '.message-log', 'dragover')).toBe(false);
    expect(await dragFile(page, '.message-log', 'drop', 'minutes.txt')).toBe(false);
    await staged.getByRole('button', { name: 'Remove minutes.txt' }).waitFor();
    await hint.waitFor({ state: 'detached' });
    // The header is the conversation's too.
    expect(await dragFile(page, '.chat-header h1', 'drop', 'agenda.txt')).toBe(false);
    await staged.getByRole('button', { name: 'Remove agenda.txt' }).waitFor();

    // Elsewhere in the page (the side column) nothing is taken, and the browser does not open it.
    expect(await dragFile(page, '.sidebar', 'dragover')).toBe(false);
    expect(await dragFile(page, '.sidebar', 'drop', 'stray.txt')).toBe(false);
    // Nor does a thread's panel take files: its replies have none.
    const root = messageItem(page, 'Send me the minutes');
    await root.getByRole('button', { name: /^Actions for/ }).click();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    await page.getByRole('complementary', { name: 'Thread' }).getByRole('textbox').waitFor();
    expect(await dragFile(page, '.thread-panel', 'dragover')).toBe(false);
    expect(await hint.count()).toBe(0);
    expect(await dragFile(page, '.thread-panel', 'drop', 'stray.txt')).toBe(false);
    await page.getByRole('button', { name: 'Close thread' }).click();
    expect(await staged.getByRole('listitem').allInnerTexts()).toEqual([
      expect.stringContaining('minutes.txt'),
      expect.stringContaining('agenda.txt'),
    ]);
    expect(page.url()).toBe(`${host.url}/c/${direct.id}`);

    await composer(page).fill('Here they are');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = messageItem(b.page, 'Here they are');
    await sent.getByRole('link', { name: /^Download minutes\.txt/ }).waitFor();
    await sent.getByRole('link', { name: /^Download agenda\.txt/ }).waitFor();
    expect(a.problems.all).toEqual([]);
  });
});

/**
 * How files without a caption and the image viewer look. The conversation list says what a
 * message of files only is ("Photo", "File", "3 files", in the person's language), never an empty
 * line after "You:". The viewer fills the screen over the page darkened, without the browser's
 * dialog border, the image as large as the screen allows (a small one at its own size, not
 * stretched to a blur), a long file name cut with an ellipsis rather than broken mid-word; a click
 * on the darkened space around the image closes it, as Escape does.
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { sendFiles } from './support/attachment-helpers.js';
import { plainPng } from './support/image-fixtures.js';
import { adaAndBob, chatSuite, conversationLink, messageItem, openAs, openConversation } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: files without text, and the image viewer', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('names a message of files only in the conversation list, in English and French', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const png = await plainPng(64, 48);
    const a = await openAs(browser, host, ada);
    const b = await openAs(browser, host, bob);
    const preview = (page: typeof a.page, name: RegExp) =>
      conversationLink(page, name).locator('.conversation-preview');

    await sendFiles(host, ada, direct.id, [{ name: 'garden.png', bytes: png, type: 'image/png' }]);
    await expect.poll(() => preview(a.page, /Bob Babbage/).innerText()).toBe('You: Photo');
    await expect.poll(() => preview(b.page, /Ada Lovelace/).innerText()).toBe('Photo');
    await sendFiles(host, ada, direct.id, [{ name: 'notes.txt', bytes: 'minutes', type: 'text/plain' }]);
    await expect.poll(() => preview(a.page, /Bob Babbage/).innerText()).toBe('You: File');
    await sendFiles(host, bob, direct.id, [
      { name: 'one.png', bytes: png, type: 'image/png' },
      { name: 'two.txt', bytes: 'two', type: 'text/plain' },
      { name: 'three.txt', bytes: 'three', type: 'text/plain' },
    ]);
    await expect.poll(() => preview(a.page, /Bob Babbage/).innerText()).toBe('3 files');
    await a.page.getByLabel('Language').selectOption('fr');
    await expect.poll(() => preview(a.page, /Bob Babbage/).innerText()).toBe('3 fichiers');
    expect(a.problems.all).toEqual([]);
  });

  it('shows an image over the darkened page, as large as a phone screen allows, its long name cut short', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const name = 'a-rather-long-holiday-photograph-taken-at-the-beach.png';
    await sendFiles(host, bob, direct.id, [{ name, bytes: await plainPng(640, 480), type: 'image/png' }]);
    const { page, problems } = await openAs(browser, host, ada, { viewport: { width: 390, height: 844 } });
    await openConversation(page, host, direct.id);
    await messageItem(page, /Bob Babbage/)
      .getByRole('button', { name: `Open ${name}` })
      .click();
    const viewer = page.getByRole('dialog', { name: `Image ${name}` });
    const image = viewer.getByRole('img', { name });
    await expect.poll(() => image.evaluate((img: any) => img.naturalWidth)).toBe(640);

    const looks = await viewer.evaluate((dialog: any) => {
      const style = (el: any, pseudo?: string) => dialog.ownerDocument.defaultView.getComputedStyle(el, pseudo);
      const title = dialog.querySelector('.image-viewer-name');
      return {
        border: style(dialog).borderTopWidth,
        backdrop: style(dialog, '::backdrop').backgroundColor,
        nameWraps: style(title).whiteSpace !== 'nowrap',
        nameEllipsis: style(title).textOverflow,
        nameCut: title.scrollWidth > title.clientWidth,
      };
    });
    expect(looks.border).toBe('0px');
    const alpha = /rgba?\(\d+, \d+, \d+(?:, ([\d.]+))?\)/.exec(looks.backdrop);
    expect(Number(alpha?.[1] ?? 1)).toBeGreaterThanOrEqual(0.8);
    expect(looks).toMatchObject({ nameWraps: false, nameEllipsis: 'ellipsis', nameCut: true });
    // The dialog is the whole screen, and the image as wide as it, less a margin.
    expect(await viewer.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    const shown = await image.evaluate((img: any) => {
      const box = img.getBoundingClientRect();
      // Fitted (object-fit: contain): the picture's own width inside the element's box.
      return Math.min(box.width, (box.height * img.naturalWidth) / img.naturalHeight);
    });
    expect(shown).toBeGreaterThanOrEqual(360);
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    expect(problems.all).toEqual([]);
  });

  it('shows a small image at its own size, and closes on a click around the image', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await sendFiles(host, bob, direct.id, [{ name: 'icon.png', bytes: await plainPng(24, 24), type: 'image/png' }]);
    const { page, problems } = await openAs(browser, host, ada, { viewport: { width: 1280, height: 800 } });
    await openConversation(page, host, direct.id);
    const open = messageItem(page, /Bob Babbage/).getByRole('button', { name: 'Open icon.png' });
    await open.click();
    const viewer = page.getByRole('dialog', { name: 'Image icon.png' });
    const image = viewer.getByRole('img', { name: 'icon.png' });
    await expect.poll(() => image.evaluate((img: any) => img.complete && img.naturalWidth)).toBe(24);
    // It was drawn 720 px wide on a 1280×800 screen: a blur of 30 times its pixels.
    expect(await image.boundingBox()).toMatchObject({ width: 24, height: 24 });

    // A click on the image itself leaves it open; one on the dark space around it closes it.
    await image.click();
    expect(await viewer.isVisible()).toBe(true);
    await page.mouse.click(40, 760);
    await viewer.waitFor({ state: 'detached' });
    expect(await open.evaluate((el: any) => el === (globalThis as any).document.activeElement)).toBe(true);
    expect(problems.all).toEqual([]);
  });
});

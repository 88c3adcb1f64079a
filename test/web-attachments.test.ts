/**
 * Files in the web client: chosen with the attach button, dropped on the composer or pasted; each
 * uploads with its progress and can be removed before sending. The other person sees an image as a
 * preview that opens full size in a viewer (with its name and a download link; Escape closes it), and
 * another file as a download link. A file the host refuses says why in words, in the person's
 * language, under its name (which stays readable on a phone).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { plainPng } from './support/image-fixtures.js';
import { adaAndBob, chatSuite, composer, messageItem, openAs, openConversation, openEach } from './support/web-chat.js';

/** Fires a drop or paste of one text file on the composer, as the browser would for a person. */
async function fileEvent(page: Page, kind: 'drop' | 'paste', name: string, text: string): Promise<void> {
  await page.evaluate(
    ([kind, name, text]) => {
      const dom = globalThis as any;
      const data = new dom.DataTransfer();
      data.items.add(new dom.File([text], name, { type: 'text/plain' }));
      const field = dom.document.querySelector('textarea.composer-input');
      const event =
        kind === 'drop'
          ? new dom.DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true })
          : new dom.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
      field.dispatchEvent(event);
    },
    [kind, name, text] as const,
  );
}

describe.skipIf(chromiumMissing)('web client: attachments', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('sends an image and files by button, drop and paste; the other person previews, views and downloads', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob] as const);

    await a.page.locator('input[type=file]').setInputFiles({
      name: 'sunset.png',
      mimeType: 'image/png',
      buffer: await plainPng(640, 480),
    });
    const staged = a.page.getByRole('list', { name: 'Files to send' });
    // A preview, with the file's name beside it.
    const sunset = staged
      .getByRole('listitem')
      .filter({ has: a.page.locator('.staged-name', { hasText: 'sunset.png' }) });
    await sunset.locator('img').waitFor();
    await sunset.locator('.staged-name').waitFor();
    await fileEvent(a.page, 'drop', 'notes.txt', 'Minutes of the meeting');
    await fileEvent(a.page, 'paste', 'pasted.txt', 'to be removed');
    await staged.getByRole('button', { name: 'Remove pasted.txt' }).click();
    await staged.getByRole('button', { name: 'Remove notes.txt' }).waitFor();
    await staged.getByRole('button', { name: 'Remove pasted.txt' }).waitFor({ state: 'detached' });
    expect(await staged.getByRole('listitem').count()).toBe(2);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await composer(a.page).fill('Photos from Friday');
    await a.page.getByRole('button', { name: 'Send', exact: true }).click();
    await staged.waitFor({ state: 'detached' });

    const item = messageItem(b.page, 'Photos from Friday');
    const preview = item.getByRole('button', { name: 'Open sunset.png' });
    await preview.locator('img').waitFor();
    await expect.poll(() => preview.locator('img').evaluate((img: any) => img.naturalWidth)).toBeGreaterThan(0);
    const download = item.getByRole('link', { name: /^Download notes\.txt \(22 bytes\)$/ });
    const href = await download.getAttribute('href');
    const fetched = await b.page.request.get(href!);
    expect(fetched.status()).toBe(200);
    expect(await fetched.text()).toBe('Minutes of the meeting');

    await preview.click();
    const viewer = b.page.getByRole('dialog', { name: 'Image sunset.png' });
    const full = viewer.getByRole('img', { name: 'sunset.png' });
    await expect.poll(() => full.evaluate((img: any) => img.naturalWidth)).toBe(640);
    // The viewer names the file and downloads it under that name (the host serves images inline).
    await viewer.getByText('sunset.png', { exact: true }).waitFor();
    const [saved] = await Promise.all([
      b.page.waitForEvent('download'),
      viewer.getByRole('link', { name: /^Download sunset\.png \(\d+(\.\d)? (bytes|kB)\)$/ }).click(),
    ]);
    expect(saved.suggestedFilename()).toBe('sunset.png');
    expect(await viewer.isVisible()).toBe(true);
    expect(await seriousAxeViolations(b.page)).toEqual([]);
    await b.page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    expect(await preview.evaluate((el: any) => el === (globalThis as any).document.activeElement)).toBe(true);
    expect(b.problems.cspViolations).toEqual([]);

    const stored = await host.http('GET', `/v1/conversations/${direct.id}/messages?limit=1`, { token: bob.token });
    expect(
      stored.body.messages[0].attachments.map((x: { name: string; mimeType: string }) => [x.name, x.mimeType]),
    ).toEqual([
      ['sunset.png', 'image/png'],
      ['notes.txt', 'text/plain'],
    ]);
  });

  it('says in words why the host refused a file, under its name, in English and French', async () => {
    const { host, browser } = suite;
    const { ada, direct } = await adaAndBob(host);
    const { page, problems } = await openAs(browser, host, ada, { viewport: { width: 390, height: 844 } });
    await openConversation(page, host, direct.id);
    // Text dressed as a PNG: the host sniffs the bytes and refuses it (415 attachment_type_mismatch).
    await page.locator('input[type=file]').setInputFiles({
      name: 'holiday.png',
      mimeType: 'image/png',
      buffer: Buffer.from('not an image at all'),
    });
    const item = page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');
    // It said "Something went wrong (attachment_type_mismatch). Reference: …".
    await item.getByText('This file is not what its name or type says. Remove it.').waitFor();
    // Beside the notice, the name was squeezed to its first letter and an ellipsis.
    const name = item.locator('.staged-name');
    expect(await name.evaluate((el: any) => el.scrollWidth <= el.clientWidth)).toBe(true);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByLabel('Language').selectOption('fr');
    const itemFr = page.getByRole('list', { name: 'Fichiers à envoyer' }).getByRole('listitem');
    await itemFr.getByText('Ce fichier n’est pas ce qu’annoncent son nom ou son type. Retirez-le.').waitFor();
    await itemFr.getByRole('button', { name: 'Retirer holiday.png' }).click();
    await itemFr.waitFor({ state: 'detached' });
    // The browser's own line for the refused request (a 415) is all it logged.
    expect(problems.all.filter((p) => !p.includes('415'))).toEqual([]);
  });
});

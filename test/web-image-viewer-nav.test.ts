/**
 * The image viewer steps through the images of the list it was opened from, as the messengers'
 * do: the arrow keys and its "Previous image" / "Next image" buttons go to the one before or after
 * (several of one message in their order, files left out), those at the ends do nothing there, and
 * "2 / 3" says where it is. Opened in a thread's panel, it steps through the thread's images only,
 * as the conversation's log steps through its own (a thread's replies are not in it). Closed, the
 * preview of the image shown last has the focus.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { sendFiles } from './support/attachment-helpers.js';
import { plainPng } from './support/image-fixtures.js';
import type { TestHost } from './support/start-test-host.js';
import { adaAndBob, chatSuite, messageLog, openAs, openConversation } from './support/web-chat.js';

/** The files of `names`: a PNG (each a width of its own) for each `.png`, a text file for the rest. */
function filesOf(names: string[]) {
  return Promise.all(
    names.map(async (name, i) =>
      name.endsWith('.png')
        ? { name, bytes: await plainPng(40 + 10 * i, 30), type: 'image/png' }
        : { name, bytes: `${name} text`, type: 'text/plain' },
    ),
  );
}

/** Waits until the viewer shows `name`, whose file is `id`, at `position` ("2 / 3"), full size. */
async function expectShown(host: TestHost, viewer: Locator, name: string, id: string, position: string) {
  await expect.poll(() => viewer.getAttribute('aria-label')).toBe(`Image ${name}`);
  const image = viewer.getByRole('img', { name, exact: true });
  await expect
    .poll(async () => {
      const src = new URL((await image.getAttribute('src')) ?? '', host.url);
      return `${src.pathname}?v=${src.searchParams.get('v')}`;
    })
    .toBe(`/v1/files/${id}?v=original`);
  await expect.poll(() => image.evaluate((img: any) => img.complete && img.naturalWidth > 0)).toBe(true);
  expect(await viewer.locator('.image-viewer-position').innerText()).toBe(position);
}

describe.skipIf(chromiumMissing)('web client: the image viewer steps through images', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('goes to the next and previous image of the conversation with the arrow keys and buttons, skipping files', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const first = await sendFiles(host, bob, direct.id, await filesOf(['one.png', 'two.png']));
    await sendFiles(host, bob, direct.id, await filesOf(['minutes.txt']));
    const last = await sendFiles(host, bob, direct.id, await filesOf(['three.png', 'agenda.txt']));
    const [one, two] = first.attachmentIds as [string, string];
    const three = last.attachmentIds[0]!;
    const { page, problems } = await openAs(browser, host, ada, { viewport: { width: 1280, height: 800 } });
    await openConversation(page, host, direct.id);
    const log = messageLog(page);
    await log.getByRole('button', { name: 'Open three.png' }).waitFor();

    await log.getByRole('button', { name: 'Open one.png' }).click();
    const viewer = page.getByRole('dialog', { name: /^Image / });
    const previous = viewer.getByRole('button', { name: 'Previous image' });
    const next = viewer.getByRole('button', { name: 'Next image' });
    await expectShown(host, viewer, 'one.png', one, '1 / 3');
    expect(await previous.isDisabled()).toBe(true);
    // At the first, the key does nothing.
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowRight');
    await expectShown(host, viewer, 'two.png', two, '2 / 3');
    expect(await previous.isEnabled()).toBe(true);
    // minutes.txt, between them, is not an image: the next is three.png.
    await page.keyboard.press('ArrowRight');
    await expectShown(host, viewer, 'three.png', three, '3 / 3');
    expect(await next.isDisabled()).toBe(true);
    // agenda.txt after it is not one either: the key does nothing at the last.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    await expectShown(host, viewer, 'two.png', two, '2 / 3');

    // The buttons, by the mouse: the image is under them, the viewer stays open.
    await previous.click();
    await expectShown(host, viewer, 'one.png', one, '1 / 3');
    await next.click();
    await next.click();
    await expectShown(host, viewer, 'three.png', three, '3 / 3');
    expect(await next.isDisabled()).toBe(true);
    // The keys still work once the button in use is disabled.
    await page.keyboard.press('ArrowLeft');
    await expectShown(host, viewer, 'two.png', two, '2 / 3');

    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    const shownLast = log.getByRole('button', { name: 'Open two.png' });
    expect(await shownLast.evaluate((el: any) => el === (globalThis as any).document.activeElement)).toBe(true);
    expect(problems.all).toEqual([]);
  });

  it("steps through a thread's images from its panel, and the log's from the log, in French too", async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const root = await sendFiles(host, bob, direct.id, await filesOf(['plan.png']));
    const reply = await sendFiles(host, bob, direct.id, await filesOf(['sketch.png']), root.messageId);
    const later = await sendFiles(host, bob, direct.id, await filesOf(['beach.png']));
    const { page, problems } = await openAs(browser, host, ada, { viewport: { width: 1280, height: 800 } });
    await page.getByLabel('Language').selectOption('fr');
    await openConversation(page, host, direct.id);
    const log = messageLog(page);
    await log.getByRole('button', { name: '1 réponse' }).click();
    const panel = page.getByRole('complementary', { name: 'Fil' });
    await panel.getByRole('button', { name: 'Ouvrir sketch.png' }).waitFor();

    await panel.getByRole('button', { name: 'Ouvrir plan.png' }).click();
    const viewer = page.getByRole('dialog', { name: /^Image / });
    await expectShown(host, viewer, 'plan.png', root.attachmentIds[0]!, '1 / 2');
    await viewer.getByRole('button', { name: 'Image suivante' }).click();
    await expectShown(host, viewer, 'sketch.png', reply.attachmentIds[0]!, '2 / 2');
    // beach.png, in the conversation after the thread's root, is not the thread's.
    expect(await viewer.getByRole('button', { name: 'Image suivante' }).isDisabled()).toBe(true);
    await viewer.getByRole('button', { name: 'Image précédente' }).click();
    await expectShown(host, viewer, 'plan.png', root.attachmentIds[0]!, '1 / 2');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    expect(await panel.isVisible()).toBe(true);

    // From the log: its images, the thread's reply not among them.
    await log.getByRole('button', { name: 'Ouvrir plan.png' }).click();
    await expectShown(host, viewer, 'plan.png', root.attachmentIds[0]!, '1 / 2');
    await page.keyboard.press('ArrowRight');
    await expectShown(host, viewer, 'beach.png', later.attachmentIds[0]!, '2 / 2');
    expect(problems.all).toEqual([]);
  });
});

/**
 * "Jump to the newest message" in the web client's log: someone reading further back sees a
 * button over the log's lower edge, counting what others sent meanwhile; it takes them (and the
 * keyboard's focus) back to the newest message and goes away. At the bottom there is none.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import {
  adaAndBob,
  chatSuite,
  composer,
  focusedOn,
  messageItem,
  messageLog,
  openEach,
  postTexts,
  scrollLogToTop,
  sendText,
} from './support/web-chat.js';

const jumpButton = (page: Page) => messageLog(page).getByRole('button', { name: /newest message|new messages? below/ });

/** Whether the log shows its end, and whether the button lies inside the log's visible box. */
function logPlace(page: Page) {
  return page.evaluate(() => {
    const dom = globalThis as any;
    const log = dom.document.querySelector('.message-log');
    const button = log.querySelector('.jump-latest-button');
    const box = log.getBoundingClientRect();
    const at = button?.getBoundingClientRect();
    return {
      atEnd: log.scrollHeight - log.scrollTop - log.clientHeight < 2,
      buttonInView: at ? at.top >= box.top && at.bottom <= box.bottom : null,
    };
  });
}

describe.skipIf(chromiumMissing)('web client: jump to the newest message', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('shows while reading back, counts what came in, and takes the person and the focus back', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(
      host,
      ada,
      direct.id,
      Array.from({ length: 40 }, (_, i) => `History line ${i + 1}.`),
    );
    const [{ page, problems }] = await openEach(browser, host, direct.id, [bob]);
    // Bob opens it where his unread messages start, further up: the button is there at once.
    await messageLog(page).getByRole('button', { name: 'Jump to the newest message' }).waitFor();
    expect(await logPlace(page)).toEqual({ atEnd: false, buttonInView: true });
    await jumpButton(page).click();
    await expect.poll(() => logPlace(page)).toEqual({ atEnd: true, buttonInView: null });
    expect((await focusedOn(page))?.message).toBe('History line 40.');

    // Bob reads back: the button shows again, over the log's lower edge, with nothing new yet.
    await scrollLogToTop(page);
    await jumpButton(page).waitFor();
    expect(await logPlace(page)).toEqual({ atEnd: false, buttonInView: true });

    // Ada writes twice while he reads: he is left where he was, and told how many came in.
    await postTexts(host, ada, direct.id, ['New while away #1.', 'New while away #2.']);
    await messageItem(page, 'New while away #2.').waitFor({ state: 'attached' });
    await messageLog(page).getByRole('button', { name: '2 new messages below' }).waitFor();
    expect((await logPlace(page)).atEnd).toBe(false);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await jumpButton(page).click();
    await expect.poll(() => logPlace(page)).toEqual({ atEnd: true, buttonInView: null });
    expect(await jumpButton(page).count()).toBe(0);
    expect((await focusedOn(page))?.message).toBe('New while away #2.');

    // Reading back again, then sending: his own message brings him down, and the button goes.
    await scrollLogToTop(page);
    await jumpButton(page).waitFor();
    await composer(page).focus();
    await sendText(page, 'Back from reading.');
    await messageItem(page, 'Back from reading.').waitFor();
    await expect.poll(() => logPlace(page)).toEqual({ atEnd: true, buttonInView: null });
    expect(problems.all).toEqual([]);
  });
});

/**
 * The web client in a browser set to a dark theme: the chat's texts keep their contrast (axe's
 * WCAG AA rules), a mention of the person, code, links and the "jump to the newest" button
 * included. The dark theme's text colour is light, so any colour set against a fixed light
 * background goes unreadable there.
 */
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import {
  adaBobAndCarolIn,
  chatSuite,
  messageItem,
  messageLog,
  openAs,
  openConversation,
  postTexts,
  scrollLogToTop,
} from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: the dark theme', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('keeps every text of the chat readable: mentions of me, code, links, the jump button', async () => {
    const { host, browser } = suite;
    const { ada, bob, group } = await adaBobAndCarolIn(host, 'Night shift');
    await postTexts(
      host,
      ada,
      group.id,
      Array.from({ length: 30 }, (_, i) => `Log line ${i + 1}.`),
    );
    await postTexts(host, ada, group.id, [`*Heads up* @${bob.handle}: see https://example.com and run \`npm start\`.`]);
    const { page, problems } = await openAs(browser, host, bob, { colorScheme: 'dark' });
    await openConversation(page, host, group.id);
    const mention = messageItem(page, 'Heads up').locator('.mention-me');
    await mention.waitFor();
    await messageLog(page).evaluate((log) => {
      log.scrollTop = log.scrollHeight;
    });
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Reading back: the jump button over the log.
    await scrollLogToTop(page);
    await messageLog(page).getByRole('button', { name: 'Jump to the newest message' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems.all).toEqual([]);
  });
});

/**
 * Addresses in a message's text are links, as in every messenger: http(s) URLs, bare domains and
 * e-mail addresses, without the punctuation a sentence puts after them, opening in a new tab that
 * learns nothing of the conversation; any other scheme (javascript:) stays text. Mentions beside
 * them stay mentions.
 */
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { adaBobAndCarolIn, chatSuite, messageItem, openAs, openConversation, postTexts } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: links in messages', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('shows web and e-mail addresses as links, and nothing else', async () => {
    const { host, browser } = suite;
    const { ada, bob, group } = await adaBobAndCarolIn(host, 'Links');
    const text =
      `@${bob.handle} specs at https://example.com/spec?v=2#top, mirror www.example.org. ` +
      'Mail ada@example.com (not javascript:alert(1) or file:///etc/passwd).';
    await postTexts(host, ada, group.id, [text]);
    const b = await openAs(browser, host, bob);
    await openConversation(b.page, host, group.id);
    const message = messageItem(b.page, /specs at/);
    await message.waitFor();

    const links = await message
      .locator('.message-text a')
      .evaluateAll((anchors) =>
        anchors.map((a: any) => ({ text: a.textContent, href: a.getAttribute('href'), target: a.target, rel: a.rel })),
      );
    const rel = 'noopener noreferrer nofollow ugc';
    expect(links).toEqual([
      { text: 'https://example.com/spec?v=2#top', href: 'https://example.com/spec?v=2#top', target: '_blank', rel },
      { text: 'www.example.org', href: 'http://www.example.org', target: '_blank', rel },
      { text: 'ada@example.com', href: 'mailto:ada@example.com', target: '_blank', rel },
    ]);
    // The words around them are as sent, and the mention is still one.
    expect(await message.locator('.message-text').innerText()).toBe(text);
    expect(await message.locator('.message-text .mention-me').innerText()).toBe(`@${bob.handle}`);
    expect(await seriousAxeViolations(b.page)).toEqual([]);
    expect(b.problems.all).toEqual([]);
  });
});

/**
 * Text formatting in the web client, as the client library reads it (docs/protocol.md#text-formatting):
 * what one person types with markers, the other sees in bold, italic, struck through or as code,
 * the markers hidden; links and mentions still work inside bold, code shows its text as typed, and
 * a mention is never cut by a marker. The conversation list shows the last message without markers.
 */
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { eventually } from './support/eventually.js';
import { chromiumMissing } from './support/browser.js';
import {
  chatSuite,
  composer,
  conversationLink,
  messageItem,
  openAs,
  openConversation,
  openEach,
} from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: text formatting', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it("shows one person's markers as formatting in the other's browser, and no markers in the list", async () => {
    const { host, browser } = suite;
    const [ada, bob, carol] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
      // A handle may end with an underscore: then it is the mention's, not a marker closing italic.
      host.createUser({ displayName: 'Carol Shaw', handle: `carol${Math.floor(Math.random() * 1e6)}_` }),
    ]);
    const group = await host.createGroup(ada, [bob, carol], 'Formatting');
    const [a, b] = await openEach(browser, host, group.id, [ada, bob] as const);

    // Ada types them: Enter sends each (the outbox keeps their order).
    const texts = [
      'Try:\n```\nconst total = a*b*c;\nlet _x_ = `y`;\n```\nthen run it',
      // Her handle's underscore is where italic would close.
      `_thanks @${carol.handle} for that`,
      `*Specs at https://example.com/a_b for @${bob.handle}* then _italic_, ~gone~ and \`2*3*4\`; ` +
        'snake_case_names stay.',
    ];
    for (const text of texts) {
      await composer(a.page).fill(text);
      await composer(a.page).press('Enter');
      await eventually(async () => (await composer(a.page).inputValue()) === '', { what: 'the text sent' });
    }

    // Bob's browser: each style in its element, the markers hidden.
    const shown = `Specs at https://example.com/a_b for @${bob.handle} then italic, gone and 2*3*4; snake_case_names stay.`;
    const message = messageItem(b.page, 'snake_case_names stay.').locator('.message-text');
    await message.waitFor();
    expect(await message.innerText()).toBe(shown);
    const bold = message.locator('strong');
    expect(await bold.innerText()).toBe(`Specs at https://example.com/a_b for @${bob.handle}`);
    // A link and a mention inside bold are still a link and a mention.
    expect(await bold.locator('a').getAttribute('href')).toBe('https://example.com/a_b');
    expect(await bold.locator('.mention-me').innerText()).toBe(`@${bob.handle}`);
    expect(await message.locator('em').allInnerTexts()).toEqual(['italic']);
    expect(await message.locator('s').allInnerTexts()).toEqual(['gone']);
    expect(await message.locator('code').allInnerTexts()).toEqual(['2*3*4']);

    // A code block keeps every character as typed, with no formatting, link or mention inside.
    const block = messageItem(b.page, 'then run it').locator('.message-text');
    expect(await block.locator('pre code').innerText()).toBe('const total = a*b*c;\nlet _x_ = `y`;');
    expect(await block.locator('strong, em, s, a, .mention, :not(pre) > code').count()).toBe(0);
    expect(await block.innerText()).toBe('Try:\nconst total = a*b*c;\nlet _x_ = `y`;\nthen run it');

    // Carol's handle ends with an underscore: her mention stays whole, so it closes no italic.
    const thanks = messageItem(b.page, 'for that').locator('.message-text');
    expect(await thanks.innerText()).toBe(texts[1]);
    expect(await thanks.locator('.mention').innerText()).toBe(`@${carol.handle}`);
    expect(await thanks.locator('em').count()).toBe(0);

    // The conversation list's preview: the last message's words, without markers.
    const preview = conversationLink(b.page, /Formatting/).locator('.conversation-preview');
    expect(await preview.innerText()).toBe(`Ada Lovelace: ${shown}`);
    expect(await seriousAxeViolations(b.page)).toEqual([]);
    expect(a.problems.all).toEqual([]);
    expect(b.problems.all).toEqual([]);

    // Carol, opening it later, sees the same.
    const c = await openAs(browser, host, carol);
    await openConversation(c.page, host, group.id);
    await messageItem(c.page, 'for that').locator('.mention-me').waitFor();
    expect(await messageItem(c.page, 'snake_case_names').locator('.message-text').innerText()).toBe(shown);

    // Sent while offline, it waits formatted already, as it will be shown once stored.
    await c.page.context().setOffline(true);
    await composer(c.page).fill('*waiting* for the network');
    await composer(c.page).press('Enter');
    const waiting = messageItem(c.page, 'for the network');
    await waiting.getByText('Sending…').waitFor();
    expect(await waiting.locator('.message-text strong').innerText()).toBe('waiting');
    expect(await waiting.locator('.message-text').innerText()).toBe('waiting for the network');
    await c.page.context().setOffline(false);
    await waiting.getByText('Sending…').waitFor({ state: 'detached' });
    expect(c.problems.all).toEqual([]);
  });
});

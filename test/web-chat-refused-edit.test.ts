/**
 * A send the host refuses for its text ("Not sent") offers Edit: the pending send leaves the
 * outbox and its text goes back to the composer it came from, in front of anything typed there
 * since (nothing typed is lost), focused with the caret at the end. A reply in a thread goes back
 * to the thread's composer. Refused as invalid, the text is never retried; refused by a plugin
 * hook (message_rejected), Retry stays, as the hook may let the same text through later.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { enable, probeManifest } from './support/plugin-helpers.js';
import { adaAndBob, chatSuite, composer, messageItem, messageLog, openEach, postTexts } from './support/web-chat.js';

/** The box's text, its caret and whether it has the focus; the text as JSON, so a lone surrogate survives the trip. */
function boxState(box: Locator) {
  return box.evaluate((el: any) => ({
    json: JSON.stringify(el.value),
    focused: el.ownerDocument.activeElement === el,
    caretAtEnd: el.selectionStart === el.value.length && el.selectionEnd === el.value.length,
  }));
}

describe.skipIf(chromiumMissing)('web chat: editing a refused send', { timeout: 120_000 }, () => {
  const suite = chatSuite({
    config: {
      plugins: {
        enabled: [
          enable(
            probeManifest('gate', {
              command: 'gate',
              hooks: [{ failMode: 'closed' }],
              permissions: { commands: {}, hooks: {}, 'messages.send': {} },
            }),
            {
              settings: { command: 'gate', hook: { when: 'forbidden', action: 'reject', text: 'no forbidden words' } },
            },
          ),
        ],
      },
    },
  });

  it('a text refused as invalid comes back to the composer, before what was typed since', async () => {
    const { host, browser } = suite;
    const { ada, direct } = await adaAndBob(host);
    const [a] = await openEach(browser, host, direct.id, [ada] as const);
    const box = composer(a.page);
    // A lone surrogate (what a broken paste can leave) breaks the host's string rules: invalid_request.
    // Set in the page, as the DevTools protocol would not carry it whole.
    await box.evaluate((el: any) => {
      el.value = `Broken ${String.fromCharCode(0xd800)} text`;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await box.press('Enter');
    const refused = messageItem(a.page, 'Not sent');
    await refused.getByText('Not sent: the host does not accept this text').waitFor();
    expect(await refused.getByRole('button').allInnerTexts()).toEqual(['Edit', 'Discard']);
    expect(await seriousAxeViolations(a.page)).toEqual([]);

    await box.fill('Typed since');
    await refused.getByRole('button', { name: 'Edit' }).click();
    await refused.waitFor({ state: 'detached' });
    expect(await messageLog(a.page).getByRole('listitem').count()).toBe(0);
    expect(await boxState(box)).toEqual({
      json: JSON.stringify(`Broken ${String.fromCharCode(0xd800)} text\nTyped since`),
      focused: true,
      caretAtEnd: true,
    });
    // Gone from the outbox too, not only from the screen: a reload shows no pending send.
    await a.page.reload();
    await messageLog(a.page).waitFor();
    await box.waitFor();
    expect(await messageLog(a.page).getByRole('listitem').count()).toBe(0);
  });

  it("a thread reply refused by a plugin hook comes back to the thread's composer, with Retry kept", async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Any words to avoid?']);
    const [a] = await openEach(browser, host, direct.id, [ada] as const);
    const root = messageItem(a.page, 'Any words to avoid?');
    await root.getByRole('button', { name: /^Actions for/ }).click();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = a.page.getByRole('complementary', { name: 'Thread' });
    const box = panel.getByRole('textbox', { name: 'Reply in thread' });
    await box.fill('Just one forbidden word');
    await box.press('Enter');
    const refused = panel.getByRole('listitem').filter({ hasText: 'Not sent' });
    await refused.getByText('Not sent: This message was refused.').waitFor();
    expect(await refused.getByRole('button').allInnerTexts()).toEqual(['Edit', 'Retry', 'Discard']);

    await refused.getByRole('button', { name: 'Edit' }).click();
    await refused.waitFor({ state: 'detached' });
    expect(await panel.getByText('Just one forbidden word').count()).toBe(0);
    expect(await boxState(box)).toEqual({
      json: JSON.stringify('Just one forbidden word'),
      focused: true,
      caretAtEnd: true,
    });
    expect(await composer(a.page).inputValue()).toBe('');
  });
});

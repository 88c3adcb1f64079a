/**
 * A send the host refuses for its text ("Not sent") offers Edit: the pending send leaves the
 * outbox and its text goes back to the composer it came from, in front of anything typed there
 * since (nothing typed is lost), focused with the caret at the end. A reply in a thread goes back
 * to the thread's composer. Refused as invalid, the text is never retried; refused by a plugin
 * hook (message_rejected), Retry stays, as the hook may let the same text through later. It comes
 * back whole: replying to the same message, with its files staged again (still on the host, unsent),
 * and a file the host has swept meanwhile is said to be gone, to be removed.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { movableClock } from './support/attachment-helpers.js';
import { eventually } from './support/eventually.js';
import { plainPng } from './support/image-fixtures.js';
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
  // Moved past attachments.unsentTtlSeconds by the last test, for its upload to be swept.
  const clock = movableClock();
  const suite = chatSuite({
    clock,
    config: {
      attachments: { unsentTtlSeconds: 60, sweepIntervalSeconds: 1 },
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

  it('a refused reply comes back replying to the same message, and is sent as a reply', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Which word is off limits?']);
    const [a] = await openEach(browser, host, direct.id, [ada] as const);
    const asked = messageItem(a.page, 'Which word is off limits?');
    await asked.getByRole('button', { name: /^Actions for/ }).click();
    await asked.getByRole('button', { name: 'Reply', exact: true }).click();
    const banner = a.page.locator('.reply-banner');
    await banner.getByText('Replying to Bob Babbage').waitFor();
    const box = composer(a.page);
    await box.fill('The forbidden one');
    await box.press('Enter');
    const refused = messageItem(a.page, 'Not sent');
    await refused.getByText('Not sent: This message was refused.').waitFor();
    expect(await banner.count()).toBe(0);

    await refused.getByRole('button', { name: 'Edit' }).click();
    await refused.waitFor({ state: 'detached' });
    await banner.getByText('Replying to Bob Babbage').waitFor();
    expect(await banner.innerText()).toContain('Which word is off limits?');
    expect(await boxState(box)).toEqual({ json: JSON.stringify('The forbidden one'), focused: true, caretAtEnd: true });

    await box.fill('The one we never say');
    await box.press('Enter');
    const sent = messageItem(a.page, 'The one we never say');
    await sent.locator('.reply-quote').getByText('Replying to Bob Babbage:').waitFor();
    expect(await banner.count()).toBe(0);
  });

  it('a refused send with an image comes back with the image staged, and goes with it once fixed', async () => {
    const { host, browser } = suite;
    const { ada, direct } = await adaAndBob(host);
    const [a] = await openEach(browser, host, direct.id, [ada] as const);
    await a.page
      .locator('input[type=file]')
      .setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: await plainPng(320, 240) });
    const staged = a.page.getByRole('list', { name: 'Files to send' });
    await staged.locator('img').waitFor();
    const box = composer(a.page);
    await box.fill('A forbidden sunset');
    await box.press('Enter');
    const refused = messageItem(a.page, 'Not sent');
    await refused.getByText('Not sent: This message was refused.').waitFor();
    expect(await refused.getByRole('button').allInnerTexts()).toEqual(['Edit', 'Retry', 'Discard']);
    expect(await staged.count()).toBe(0);

    await refused.getByRole('button', { name: 'Edit' }).click();
    await refused.waitFor({ state: 'detached' });
    const sunset = staged.getByRole('listitem').filter({ hasText: 'sunset.png' });
    await sunset.locator('img').waitFor();
    expect(await staged.getByRole('listitem').count()).toBe(1);
    expect(await boxState(box)).toEqual({
      json: JSON.stringify('A forbidden sunset'),
      focused: true,
      caretAtEnd: true,
    });
    expect(await seriousAxeViolations(a.page)).toEqual([]);

    await box.fill('A sunset');
    await a.page.getByRole('button', { name: 'Send', exact: true }).click();
    await staged.waitFor({ state: 'detached' });
    const sent = messageItem(a.page, 'A sunset');
    await sent.getByRole('button', { name: 'Open sunset.png' }).locator('img').waitFor();
    expect(await messageItem(a.page, 'Not sent').count()).toBe(0);
  });

  it('a file the host swept before Edit is said to be gone, and the rest is sent without it', async () => {
    const { host, browser } = suite;
    const { ada, direct } = await adaAndBob(host);
    const [a] = await openEach(browser, host, direct.id, [ada] as const);
    const uploaded = a.page.waitForResponse(
      (r) => r.request().method() === 'POST' && /\/v1\/attachments\?/.test(r.url()),
    );
    await a.page
      .locator('input[type=file]')
      .setInputFiles({ name: 'old.png', mimeType: 'image/png', buffer: await plainPng(64, 64) });
    const { id } = (await (await uploaded).json()) as { id: string };
    const staged = a.page.getByRole('list', { name: 'Files to send' });
    await staged.locator('img').waitFor();
    const box = composer(a.page);
    await box.fill('A forbidden old photo');
    await box.press('Enter');
    const refused = messageItem(a.page, 'Not sent');
    await refused.getByRole('button', { name: 'Edit' }).waitFor();
    clock.advance(61_000);
    await eventually(
      async () => (await host.http('GET', `/v1/attachments/${id}`, { token: ada.token })).status === 404,
      {
        what: 'the unsent upload to be swept',
      },
    );

    await refused.getByRole('button', { name: 'Edit' }).click();
    const gone = staged.getByRole('listitem').filter({ hasText: 'File no longer available' });
    await gone
      .getByRole('alert')
      .getByText('The host no longer keeps this file: files not sent are deleted after a while.', { exact: false })
      .waitFor();
    expect(await boxState(box)).toEqual({
      json: JSON.stringify('A forbidden old photo'),
      focused: true,
      caretAtEnd: true,
    });
    // Nothing is under way: Send waits for the gone file to be removed, without saying it is uploading.
    expect(await a.page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await gone.getByRole('button', { name: 'Remove File no longer available' }).click();
    await staged.waitFor({ state: 'detached' });
    await box.fill('An old photo, lost');
    await box.press('Enter');
    const sent = messageItem(a.page, 'An old photo, lost').and(a.page.locator('li:not(.pending)'));
    await sent.waitFor();
    expect(await sent.locator('img').count()).toBe(0);
  });
});

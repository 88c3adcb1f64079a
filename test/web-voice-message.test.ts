/**
 * Voice messages in the web client, recorded from Chromium's fake microphone: Ada records (the
 * time counts up), sends, and Bob plays it in the log: an audio player whose file loads in ranges,
 * named "Voice message" with its length, in his language. A browser without WebM recording
 * (Safari) records MP4, which plays the same. Recording stops at five minutes (the page's clock
 * moved on, not waited for) and keeps what was recorded, unsent. Cancelling (the button or Escape)
 * sends nothing; a microphone the browser refuses says so in words, and nothing is sent.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing, FAKE_MEDIA_ARGS } from './support/browser.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import {
  adaAndBob,
  chatSuite,
  composer,
  conversationLink,
  messageItem,
  openAs,
  openConversation,
  openEach,
  sendText,
} from './support/web-chat.js';

const recordButton = (page: Page) => page.getByRole('button', { name: 'Record voice message' });
const timer = (page: Page) => page.getByRole('timer');

/** The conversation's messages as Bob's HTTP client reads them, oldest first: text and files. */
async function storedMessages(host: TestHost, user: TestUser, conversationId: string) {
  const { body } = await host.http('GET', `/v1/conversations/${conversationId}/messages?limit=10`, {
    token: user.token,
  });
  return (body.messages as any[])
    .map((m) => ({ text: m.content.text, files: m.attachments.map((a: any) => [a.name, a.mimeType]) }))
    .reverse();
}

describe.skipIf(chromiumMissing)('web client: voice messages', { timeout: 120_000 }, () => {
  const suite = chatSuite({}, FAKE_MEDIA_ARGS);

  it('records a voice message, sends it, and the other person plays it, with its length', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob] as const);

    await recordButton(a.page).click();
    await a.page.getByRole('status').filter({ hasText: 'Recording' }).waitFor();
    // The time counts up (the recording is a second long at least), out of the most there can be.
    await timer(a.page)
      .filter({ hasText: /^00:01 of 05:00$/ })
      .waitFor();
    expect(await recordButton(a.page).isDisabled()).toBe(true);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    const send = a.page.getByRole('button', { name: 'Stop and send' });
    // It has the focus: Enter sends.
    expect(await send.evaluate((el: any) => el === (globalThis as any).document.activeElement)).toBe(true);
    await a.page.keyboard.press('Enter');
    await timer(a.page).waitFor({ state: 'detached' });

    const item = messageItem(b.page, /Voice message/);
    const audio = item.locator('audio');
    await audio.waitFor();
    expect(await audio.getAttribute('preload')).toBe('metadata');
    expect(await audio.getAttribute('controls')).not.toBeNull();
    // Its file answers a range as audio.
    const fetched = await audio.evaluate(async (el: any) => {
      const res = await fetch(el.src, { headers: { Range: 'bytes=0-99' } });
      return { status: res.status, type: res.headers.get('content-type'), size: (await res.arrayBuffer()).byteLength };
    });
    expect(fetched).toEqual({ status: 206, type: 'audio/webm', size: 100 });
    // The player knows the length once it has the metadata, and the caption shows it.
    await expect.poll(() => audio.evaluate((el: any) => el.readyState)).toBeGreaterThanOrEqual(1);
    const seconds = await audio.evaluate((el: any) => el.duration);
    expect(Number.isFinite(seconds)).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThan(60);
    await item.getByText(/^Voice message, 00:0\d$/).waitFor();
    await expect.poll(() => conversationLink(b.page, /Ada Lovelace/).innerText()).toContain('Voice message');
    expect(await seriousAxeViolations(b.page)).toEqual([]);

    const stored = await storedMessages(host, bob, direct.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.text).toBe('');
    expect(stored[0]!.files).toEqual([[expect.stringMatching(/^voice-message-[\d-]+\.webm$/), 'audio/webm']]);

    await b.page.getByLabel('Language').selectOption('fr');
    await messageItem(b.page, /Message vocal/)
      .getByText(/^Message vocal, 00:0\d$/)
      .waitFor();
    expect([...a.problems.all, ...b.problems.all]).toEqual([]);
  });

  it('records MP4 where the browser has no WebM recording, as Safari, and it plays as audio/mp4', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const a = await openAs(browser, host, ada);
    // Safari's answers: MP4 (AAC there; Chromium records Opus in it), no WebM.
    await a.page.addInitScript(() => {
      const recorder = (globalThis as any).MediaRecorder;
      const supports = recorder.isTypeSupported.bind(recorder);
      recorder.isTypeSupported = (type: string) => type.startsWith('audio/mp4') && supports(type);
    });
    await openConversation(a.page, host, direct.id);
    const b = await openAs(browser, host, bob);
    await openConversation(b.page, host, direct.id);

    await recordButton(a.page).click();
    await timer(a.page)
      .filter({ hasText: /^00:01 / })
      .waitFor();
    await a.page.getByRole('button', { name: 'Stop and send' }).click();

    const audio = messageItem(b.page, /Voice message/).locator('audio');
    await audio.waitFor();
    const type = await audio.evaluate(async (el: any) => (await fetch(el.src)).headers.get('content-type'));
    expect(type).toBe('audio/mp4');
    await expect.poll(() => audio.evaluate((el: any) => el.readyState)).toBeGreaterThanOrEqual(1);
    const stored = await storedMessages(host, bob, direct.id);
    expect(stored[0]!.files).toEqual([[expect.stringMatching(/^voice-message-[\d-]+\.m4a$/), 'audio/mp4']]);
    expect([...a.problems.all, ...b.problems.all]).toEqual([]);
  });

  it('stops at five minutes and keeps the recording attached, unsent', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const a = await openAs(browser, host, ada);
    // The page's timers and clocks from its load on: moved on below rather than waited for.
    await a.page.clock.install();
    await openConversation(a.page, host, direct.id);

    await recordButton(a.page).click();
    await timer(a.page)
      .filter({ hasText: /^00:0\d of / })
      .waitFor();
    await a.page.clock.fastForward('05:01');
    await timer(a.page).waitFor({ state: 'detached' });
    const staged = a.page.getByRole('list', { name: 'Files to send' }).getByRole('listitem');
    await staged.filter({ hasText: /^voice-message-[\d-]+\.webm/ }).waitFor();
    expect(await staged.count()).toBe(1);
    await a.page.getByText('Voice messages stop at 05:00: this one is attached, ready to send.').waitFor();
    expect(await recordButton(a.page).isDisabled()).toBe(false);
    expect(await storedMessages(host, bob, direct.id)).toEqual([]);
    expect(a.problems.all).toEqual([]);
  });

  it('sends nothing when the recording is cancelled, by the button or with Escape', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const [a] = await openEach(browser, host, direct.id, [ada] as const);

    await recordButton(a.page).click();
    await timer(a.page)
      .filter({ hasText: /^00:01 / })
      .waitFor();
    await a.page.getByRole('button', { name: 'Cancel recording' }).click();
    await timer(a.page).waitFor({ state: 'detached' });
    // Again by keyboard: the microphone is the control after the text box.
    await composer(a.page).focus();
    await a.page.keyboard.press('Tab');
    await a.page.keyboard.press('Enter');
    await timer(a.page)
      .filter({ hasText: /^00:01 / })
      .waitFor();
    await a.page.keyboard.press('Escape');
    await timer(a.page).waitFor({ state: 'detached' });
    expect(await composer(a.page).evaluate((el: any) => el === (globalThis as any).document.activeElement)).toBe(true);

    // A message sent after: had a recording been sent, it would be before this one.
    await sendText(a.page, 'Never mind, I will write');
    await expect
      .poll(() => storedMessages(host, bob, direct.id))
      .toEqual([{ text: 'Never mind, I will write', files: [] }]);
    expect(await a.page.getByRole('list', { name: 'Files to send' }).count()).toBe(0);
    expect(a.problems.all).toEqual([]);
  });

  it('says in words that the microphone was refused, in English and French, and sends nothing', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const a = await openAs(browser, host, ada);
    // The browser's answer when the person (or the site's settings) blocks the microphone.
    await a.page.addInitScript(() => {
      const page = globalThis as any;
      page.navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new page.DOMException('Permission denied', 'NotAllowedError') as Error);
    });
    await openConversation(a.page, host, direct.id);

    await recordButton(a.page).click();
    const alert = a.page.getByRole('alert').filter({ hasText: /microphone/ });
    await alert.waitFor();
    expect(await alert.innerText()).toBe(
      'The microphone is not allowed for this site, so nothing was recorded. Allow it in the browser’s site settings to record a voice message.',
    );
    expect(await timer(a.page).count()).toBe(0);
    await a.page.getByLabel('Language').selectOption('fr');
    await a.page
      .getByRole('alert')
      .filter({ hasText: /^Le micro n’est pas autorisé pour ce site, rien n’a donc été enregistré\./ })
      .waitFor();
    expect(await storedMessages(host, bob, direct.id)).toEqual([]);
    expect(a.problems.all).toEqual([]);
  });
});

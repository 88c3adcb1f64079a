/**
 * The chat screens for keyboard and screen-reader users, and on a phone: everything reachable by
 * Tab with a visible focus, a live log, named controls, no serious axe violations; one column with
 * a way back on a phone, side by side on a desktop.
 */
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import {
  composer,
  conversationLink,
  conversationNav,
  messageItem,
  messageLog,
  openAs,
  openConversation,
  postTexts,
  chatSuite,
  adaAndBob,
  focusedOn,
} from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web chat: keyboard, screen readers and layouts', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('reaches every control by Tab with a visible focus, reacts by keyboard, and has no serious axe violations', async () => {
    const { host, browser } = suite;
    const ada = await host.createUser({ displayName: 'Ada Lovelace' });
    const bob = await host.createUser({ displayName: 'Bob Babbage' });
    const group = await host.createGroup(ada, [bob], 'Accessible room');
    await postTexts(host, bob, group.id, ['Hello, keyboard']);
    const { page, problems } = await openAs(browser, host, ada);
    await openConversation(page, host, group.id);
    await messageItem(page, 'Hello, keyboard').waitFor();
    expect(await messageLog(page).getAttribute('aria-live')).toBe('polite');

    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const seen: { name: string; role: string; ring: boolean }[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const now = await focusedOn(page);
      if (!now) continue;
      seen.push(now);
      if (now.name === 'Send') break;
    }
    const names = seen.map((s) => s.name);
    for (const expected of [
      'New chat',
      'New group',
      'Group details',
      'Actions for the message from Bob Babbage',
      'Message',
      'Send',
    ]) {
      expect(names, `Tab reaches ${expected}`).toContain(expected);
    }
    expect(names.some((n) => n.includes('Accessible room'))).toBe(true);
    expect(
      seen.find((s) => s.role === 'li'),
      'a message of the log takes the focus (the arrow keys go through the log from there)',
    ).toBeTruthy();
    expect(seen.filter((s) => !s.ring).map((s) => s.name)).toEqual([]);

    // React with the keyboard only; Escape closes the actions and gives the focus back.
    const toggle = messageItem(page, 'Hello, keyboard').getByRole('button', { name: /^Actions for/ });
    // Each key is answered by the next render, which may come after the key press returns: Tab
    // goes into the actions once they are shown.
    const actions = messageItem(page, 'Hello, keyboard').getByRole('group', { name: 'Message actions' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    await actions.waitFor();
    await page.keyboard.press('Tab');
    expect((await focusedOn(page))?.name).toBe('Reply');
    await page.keyboard.press('Tab');
    expect((await focusedOn(page))?.name).toBe('Reply in thread');
    await page.keyboard.press('Tab');
    expect((await focusedOn(page))?.name).toBe('React with 👍');
    await page.keyboard.press('Enter');
    await messageItem(page, 'Hello, keyboard').getByRole('button', { name: '👍 1: Ada Lovelace' }).waitFor();
    await toggle.focus();
    await page.keyboard.press('Enter');
    await actions.waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    await expect.poll(async () => (await focusedOn(page))?.name).toBe('Actions for the message from Bob Babbage');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');

    await composer(page).fill('Draft to check the composer');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.goto(`${host.url}/`);
    await conversationLink(page, /Accessible room/).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems.all).toEqual([]);
  });

  it('on a phone, the list and the conversation are separate screens with a way back', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['On the small screen']);
    const { page } = await openAs(browser, host, ada, { viewport: { width: 390, height: 844 } });
    await conversationLink(page, /Bob Babbage/).click();
    await messageItem(page, 'On the small screen').waitFor();
    // A tap opens it ready to type, as the keyboard does (web-chat-keyboard).
    await expect.poll(async () => (await focusedOn(page))?.name).toBe('Message');
    expect(await conversationNav(page).isVisible()).toBe(false);
    const log = await messageLog(page).boundingBox();
    const input = await composer(page).boundingBox();
    expect(log!.width).toBeGreaterThan(300);
    expect(input!.y + input!.height).toBeLessThanOrEqual(844);
    await page.getByRole('link', { name: 'Back to conversations' }).click();
    await conversationLink(page, /Bob Babbage/).waitFor();
    expect(await messageLog(page).count()).toBe(0);
  });

  it('on a desktop, the list and the conversation are side by side', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(
      host,
      bob,
      direct.id,
      Array.from({ length: 60 }, (_, i) => `Line ${i + 1}`),
    );
    const { page } = await openAs(browser, host, ada, { viewport: { width: 1280, height: 800 } });
    await conversationLink(page, /Bob Babbage/).click();
    await messageItem(page, 'Line 60').waitFor();
    const nav = await conversationNav(page).boundingBox();
    const log = await messageLog(page).boundingBox();
    expect(nav!.x + nav!.width).toBeLessThanOrEqual(log!.x);
    // Only the log scrolls: the composer stays on screen under a long conversation.
    const input = await composer(page).boundingBox();
    expect(input!.y + input!.height).toBeLessThanOrEqual(800);
    expect(
      await page.evaluate(() => {
        const dom = globalThis as any;
        return dom.document.documentElement.scrollHeight <= dom.innerHeight + 1;
      }),
    ).toBe(true);
  });
});

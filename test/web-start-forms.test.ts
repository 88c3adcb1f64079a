/**
 * The "New chat" and "New group" forms of the side column. "Their handle" takes one handle: a name
 * typed there ("Bob Builder") is said not to be one, in the field, rather than cut down to its first
 * word and opened as a chat with someone else. Each button shows as pressed while its form is open,
 * and Escape closes the form, the focus back on its button.
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { chatSuite, openAs } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: starting a conversation', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('refuses a handle with a space, in words, and opens no chat', async () => {
    const { host, browser } = suite;
    const handle = `bobby${process.pid}`;
    const [ada, bob] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bobby Builder', handle }),
    ]);
    const { page, problems } = await openAs(browser, host, ada);
    await page.getByRole('button', { name: 'New chat' }).click();
    const field = page.getByRole('textbox', { name: 'Their handle' });
    await field.fill(`${handle} Builder`);
    await field.press('Enter');
    const error = page.getByText(`“${handle} Builder” is not a handle: a handle is one word, without spaces`);
    await error.waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(new URL(page.url()).pathname).toBe('/');
    const directs = await host.http('GET', '/v1/conversations', { token: bob.token });
    expect(directs.body.conversations).toEqual([]);

    // The handle alone opens the chat.
    await field.fill(`@${handle}`);
    await field.press('Enter');
    await page.waitForURL(/\/c\/[^/]+$/);
    expect(problems.all).toEqual([]);
  });

  it('shows the open form’s button as pressed, and Escape closes the form', async () => {
    const { host, browser } = suite;
    const ada = await host.createUser({ displayName: 'Ada Lovelace' });
    const { page, problems } = await openAs(browser, host, ada);
    const focused = (name: string) =>
      page.getByRole('button', { name }).evaluate((el: any) => el === el.ownerDocument.activeElement);
    const face = (name: string) =>
      page.getByRole('button', { name }).evaluate((el: any) => {
        const style = el.ownerDocument.defaultView.getComputedStyle(el);
        return `${style.backgroundColor} ${style.borderTopColor}`;
      });

    for (const [button, field] of [
      ['New chat', 'Their handle'],
      ['New group', 'Group name'],
    ] as const) {
      const other = button === 'New chat' ? 'New group' : 'New chat';
      const closed = await face(button);
      await page.getByRole('button', { name: button }).click();
      const input = page.getByRole('textbox', { name: field });
      await input.waitFor();
      expect(await page.getByRole('button', { name: button }).getAttribute('aria-expanded')).toBe('true');
      // Pressed: it looks unlike itself closed, and unlike the other button.
      expect(await face(button)).not.toBe(closed);
      expect(await face(button)).not.toBe(await face(other));
      await input.fill('half typed');
      await input.press('Escape');
      await input.waitFor({ state: 'detached' });
      expect(await page.getByRole('button', { name: button }).getAttribute('aria-expanded')).toBe('false');
      expect(await focused(button)).toBe(true);
      expect(await face(button)).toBe(closed);
    }
    expect(problems.all).toEqual([]);
  });
});

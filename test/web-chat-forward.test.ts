/**
 * Forwarding in the web client: Ada opens Bob's message's actions in their direct chat, picks
 * Forward, finds the group with Carol by the dialog's filter and sends it there; the dialog says
 * "Sent" and stays until Done (Messenger's way), Escape and Done give the focus back to the
 * actions' toggle. Carol's browser shows the copy with "Forwarded" above it.
 */
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { adaBobAndCarol, chatSuite, focusedOn, messageItem, openEach } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web chat: forwarding a message', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('forwards Bob’s message from the direct chat into the group, where Carol sees it as forwarded', async () => {
    const { host, browser } = suite;
    const { ada, bob, carol } = await adaBobAndCarol(host);
    const direct = await host.direct(ada, bob);
    const group = await host.createGroup(ada, [carol], 'Tea club');
    const other = await host.createGroup(ada, [], 'Book club');
    const bobs = await host.connect(bob.token);
    await bobs.sendText(direct.id, 'Cake on Friday');
    const [[a], [c]] = await Promise.all([
      openEach(browser, host, direct.id, [ada] as const),
      openEach(browser, host, group.id, [carol] as const),
    ]);

    const item = messageItem(a.page, 'Cake on Friday');
    const toggle = item.getByRole('button', { name: 'Actions for the message from Bob Babbage' });
    await toggle.click();
    await item.getByRole('group', { name: 'Message actions' }).getByRole('button', { name: 'Forward' }).click();
    const dialog = a.page.getByRole('dialog', { name: 'Forward message' });
    await dialog.waitFor();
    // The filter has the focus; Escape closes and the toggle has it back.
    expect(
      await a.page
        .getByRole('searchbox', { name: 'Search conversations' })
        .evaluate((el: any) => el === el.ownerDocument.activeElement),
    ).toBe(true);
    await a.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect((await focusedOn(a.page))?.name).toBe('Actions for the message from Bob Babbage');

    await toggle.click();
    await item.getByRole('group', { name: 'Message actions' }).getByRole('button', { name: 'Forward' }).click();
    const targets = dialog.getByRole('list', { name: 'Your conversations' });
    // Every conversation of Ada's but the one the message is in.
    await expect
      .poll(async () => (await targets.getByRole('listitem').allInnerTexts()).map((text) => text.split('\n')[0]).sort())
      .toEqual(['Book club', 'Tea club']);
    await a.page.getByRole('searchbox', { name: 'Search conversations' }).fill('tea');
    await expect
      .poll(() => targets.getByRole('listitem').allInnerTexts())
      .toEqual([expect.stringContaining('Tea club')]);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await targets.getByRole('button', { name: 'Send to Tea club' }).click();
    await targets.getByRole('button', { name: 'Sent to Tea club' }).waitFor();
    expect(await targets.getByRole('button', { name: 'Sent to Tea club' }).isDisabled()).toBe(true);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });
    // Ada stays in the direct chat, as Messenger does.
    expect(a.page.url()).toContain(direct.id);

    const copy = messageItem(c.page, 'Cake on Friday');
    await copy.getByText('Forwarded', { exact: true }).waitFor();
    // Nothing went to the other group.
    const others = await host.http('GET', `/v1/conversations/${other.id}/messages`, { token: ada.token });
    expect(others.body.messages.every((m: any) => !m.forwarded)).toBe(true);
    expect([...a.problems.all, ...c.problems.all]).toEqual([]);
  });
});

/**
 * A group's details in the web client: its owner renames it, changes roles, adds people and
 * removes them (after confirming); an admin may remove plain members only; anyone may leave, after
 * saying so twice. Every change reaches the others live, through the system messages the host posts.
 */
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import {
  adaBobAndCarolIn,
  chatSuite,
  conversationLink,
  messageItem,
  openAs,
  openConversation,
  openEach,
} from './support/web-chat.js';

/** Whether `locator` has the focus (waiting for it: a render may come after the click). */
const focused = (locator: Locator) =>
  expect.poll(() => locator.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);

describe.skipIf(chromiumMissing)('web chat: group details', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('the owner renames the group, makes an admin and removes a member; everyone sees it live', async () => {
    const { host, browser } = suite;
    const { ada, bob, carol, group } = await adaBobAndCarolIn(host, 'Difference engine');
    const [a, b] = await openEach(browser, host, group.id, [ada, bob] as const);

    await a.page.getByRole('button', { name: 'Group details' }).click();
    const members = a.page.getByRole('list', { name: 'Members of the group' });
    await members.getByText('Ada Lovelace (you)').waitFor();
    expect(await seriousAxeViolations(a.page)).toEqual([]);

    await a.page.getByLabel('Name of the group').fill('Analytical engine');
    await a.page.getByRole('button', { name: 'Rename' }).click();
    await b.page.getByRole('heading', { name: 'Analytical engine', level: 1 }).waitFor();
    // The button, disabled as it works, does not drop the focus to the page: the field keeps it.
    await focused(a.page.getByLabel('Name of the group'));
    await conversationLink(b.page, /Analytical engine/).waitFor();

    await a.page.getByLabel('Role of Bob Babbage').selectOption('admin');
    await messageItem(b.page, 'Ada Lovelace made Bob Babbage an admin').waitFor();
    // Bob sees his new role in his own list, as listed again after the change.
    await b.page.getByRole('button', { name: 'Group details' }).click();
    await b.page
      .getByRole('list', { name: 'Members of the group' })
      .getByRole('listitem')
      .filter({ hasText: 'Bob Babbage (you)' })
      .getByText('Admin', { exact: true })
      .waitFor();

    // Removing asks first; cancelling keeps Carol, and focus goes back to the button that asked.
    const removeCarol = a.page.getByRole('button', { name: 'Remove Carol Shaw from the group' });
    const question = a.page.getByRole('group', { name: 'Remove Carol Shaw from the group?' });
    await removeCarol.click();
    await question.waitFor();
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await question.getByRole('button', { name: 'Cancel' }).click();
    await question.waitFor({ state: 'detached' });
    await expect.poll(() => removeCarol.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);
    const kept = await host.http('GET', `/v1/conversations/${group.id}/members`, { token: ada.token });
    expect(kept.body.members.map((m: { userId: string }) => m.userId)).toContain(carol.id);
    await members.getByRole('listitem').filter({ hasText: 'Carol Shaw' }).waitFor();
    await removeCarol.click();
    await question.getByRole('button', { name: 'Remove', exact: true }).click();
    await messageItem(b.page, 'Ada Lovelace removed Carol Shaw').waitFor();
    await members.getByRole('listitem').filter({ hasText: 'Carol Shaw' }).waitFor({ state: 'detached' });
    // Her row gone with the focused button, the focus stays in the list (she was last in it).
    await focused(members);
    const listed = await host.http('GET', `/v1/conversations/${group.id}/members`, { token: ada.token });
    expect(listed.body.members.map((m: { userId: string; role: string }) => [m.userId, m.role]).sort()).toEqual(
      [
        [ada.id, 'owner'],
        [bob.id, 'admin'],
      ].sort(),
    );
  });

  it('an admin may remove plain members but not change roles; a member leaves after confirming', async () => {
    const { host, browser } = suite;
    const { ada, bob, carol, group } = await adaBobAndCarolIn(host, 'Loom society');
    const promoted = await host.http('PATCH', `/v1/conversations/${group.id}/members/${bob.id}`, {
      token: ada.token,
      body: { role: 'admin' },
    });
    expect(promoted.status).toBe(200);
    const [b, c] = await openEach(browser, host, group.id, [bob, carol] as const);

    await b.page.getByRole('button', { name: 'Group details' }).click();
    await b.page.getByRole('button', { name: 'Remove Carol Shaw from the group' }).waitFor();
    expect(await b.page.getByRole('button', { name: 'Remove Ada Lovelace from the group' }).count()).toBe(0);
    expect(await b.page.getByLabel(/^Role of/).count()).toBe(0);

    await c.page.getByRole('button', { name: 'Group details' }).click();
    // Read once the details are shown (with the rename form, were Carol allowed it), not before.
    await c.page.getByRole('button', { name: 'Leave group' }).waitFor();
    expect(await c.page.getByLabel('Name of the group').count()).toBe(0);
    await c.page.getByRole('button', { name: 'Leave group' }).click();
    await c.page.getByText('Leave “Loom society”?', { exact: false }).waitFor();
    expect(await seriousAxeViolations(c.page)).toEqual([]);
    await c.page.getByRole('button', { name: 'Leave', exact: true }).click();
    await c.page.waitForURL(`${host.url}/`);
    await conversationLink(c.page, /Loom society/).waitFor({ state: 'detached' });
    await messageItem(b.page, 'Carol Shaw left').waitFor();
    // French says it without assuming whether the person is a man or a woman ("est parti(e)").
    await b.page.getByLabel('Language').selectOption('fr');
    await messageItem(b.page, 'Carol Shaw a quitté le groupe').waitFor();
    const listed = await host.http('GET', `/v1/conversations/${group.id}/members`, { token: ada.token });
    expect(listed.body.members.map((m: { userId: string }) => m.userId)).not.toContain(carol.id);
  });

  it('the details stay open after adding people, listing them, with the field emptied for more', async () => {
    const { host, browser } = suite;
    const [ada, bob, carol, dan] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
      host.createUser({ displayName: 'Carol Shaw' }),
      host.createUser({ displayName: 'Dan Bricklin' }),
    ]);
    const group = await host.createGroup(ada, [bob], 'Open details');
    const [a] = await openEach(browser, host, group.id, [ada] as const);
    const toggle = a.page.getByRole('button', { name: 'Group details' });
    await toggle.click();
    const field = a.page.getByLabel('Handles to add');
    await field.fill(`${carol.handle}, @${dan.handle}`);
    await a.page.getByRole('button', { name: 'Add', exact: true }).click();
    await messageItem(a.page, 'Ada Lovelace added Carol Shaw').waitFor();

    const members = a.page.getByRole('list', { name: 'Members of the group' });
    await members.getByRole('listitem').filter({ hasText: 'Carol Shaw' }).waitFor();
    await members.getByRole('listitem').filter({ hasText: 'Dan Bricklin' }).waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await field.isVisible()).toBe(true);
    await expect.poll(() => field.inputValue()).toBe('');
    await focused(field);

    // Listed owner first, then admins, then members, each by name (not the newest first).
    await host.http('PATCH', `/v1/conversations/${group.id}/members/${dan.id}`, {
      token: ada.token,
      body: { role: 'admin' },
    });
    await messageItem(a.page, 'Ada Lovelace made Dan Bricklin an admin').waitFor();
    await expect
      .poll(() => members.locator('.group-member-name').allTextContents())
      .toEqual(['Ada Lovelace (you)', 'Dan Bricklin', 'Bob Babbage', 'Carol Shaw']);
  });

  it('on a phone the details are a sheet over the screen: every control in sight, closed with Escape; event times stay whole', async () => {
    const { host, browser } = suite;
    const { ada, group } = await adaBobAndCarolIn(host, 'Tea Party');
    const { page } = await openAs(browser, host, ada, { viewport: { width: 390, height: 844 } });
    await openConversation(page, host, group.id);
    // A group event's time stays whole on a narrow screen: never "2:03" with "AM" on a line of its own.
    const time = messageItem(page, 'created the group').locator('time');
    expect(await time.evaluate((el: any) => (globalThis as any).getComputedStyle(el).whiteSpace)).toBe('nowrap');
    expect(await time.evaluate((el: any) => el.getClientRects().length)).toBe(1);
    const toggle = page.getByRole('button', { name: 'Group details' });
    await toggle.click();
    const sheet = page.locator('#group-details');
    await sheet.getByRole('list', { name: 'Members of the group' }).getByText('Carol Shaw').waitFor();
    expect(await sheet.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    // Adding people and leaving were below the fold of a small box, with no sign of them.
    for (const control of [
      sheet.getByRole('button', { name: 'Close details' }),
      sheet.getByLabel('Handles to add'),
      sheet.getByRole('button', { name: 'Add', exact: true }),
      sheet.getByRole('button', { name: 'Leave group' }),
    ]) {
      const found = (await control.boundingBox())!;
      expect(found.y).toBeGreaterThanOrEqual(0);
      expect(found.y + found.height).toBeLessThanOrEqual(844);
    }
    // Opened, they have the focus (the button that opened them is under the sheet).
    await focused(sheet.getByRole('button', { name: 'Close details' }));
    expect(await seriousAxeViolations(page)).toEqual([]);
    await sheet.getByLabel('Handles to add').press('Escape');
    await sheet.waitFor({ state: 'hidden' });
    await focused(toggle);
  });
});

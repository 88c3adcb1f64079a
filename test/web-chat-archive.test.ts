/**
 * Archiving in the web client: Archive in the conversation's menu takes it out of the main list
 * and puts it under "Archived (N)" at the list's end, on the person's other device at once; a new
 * message leaves it there, counted quietly and left out of the tab's title; opened from Archived,
 * Unarchive puts it back in the list on every device. English and French.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { chatSuite, conversationLink, messageLog, openAs, openConversation, postTexts } from './support/web-chat.js';

/** The direct conversation with Bob (its presence first), not the group whose preview names him. */
const BOB = /^(\S+ )?Bob Babbage/;
const archivedList = (page: Page) => page.getByRole('list', { name: 'Archived conversations' });

describe.skipIf(chromiumMissing)('web client: archiving conversations', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('archives from the menu, shows it under Archived on both devices while messages arrive, and unarchives', async () => {
    const { host, browser } = suite;
    const [ada, bob] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
    ]);
    const group = await host.createGroup(bob, [ada], 'Night shift');
    await host.direct(ada, bob);
    await postTexts(host, bob, group.id, ['first']);

    const [laptop, phone] = await Promise.all([openAs(browser, host, ada), openAs(browser, host, ada)]);
    await conversationLink(phone.page, /Night shift/).waitFor();
    expect(await phone.page.getByRole('button', { name: /^Archived/ }).count()).toBe(0);

    // Archived on the laptop, from the conversation's menu: it leaves the main list for
    // "Archived (1)", open there since it holds the conversation on screen.
    await openConversation(laptop.page, host, group.id);
    await laptop.page.getByRole('button', { name: 'More actions' }).click();
    await laptop.page.getByRole('button', { name: 'Archive', exact: true }).click();
    // The menu closes, the focus back on its button, which now offers Unarchive.
    await laptop.page.getByRole('button', { name: 'Archive', exact: true }).waitFor({ state: 'detached' });
    await laptop.page.getByRole('button', { name: 'More actions', expanded: false }).waitFor();
    expect(
      await laptop.page.evaluate(() => (globalThis as any).document.activeElement.getAttribute('aria-label')),
    ).toBe('More actions');
    await laptop.page.getByRole('button', { name: 'More actions' }).click();
    await laptop.page.getByRole('button', { name: 'Unarchive', exact: true }).waitFor();
    await laptop.page.keyboard.press('Escape');
    const onLaptop = laptop.page.getByRole('button', { name: 'Archived (1)' });
    await archivedList(laptop.page)
      .getByRole('link', { name: /Night shift/ })
      .waitFor();
    expect(await onLaptop.getAttribute('aria-expanded')).toBe('true');
    // At the end of the list, after the conversations not archived.
    const direct = await conversationLink(laptop.page, BOB).boundingBox();
    expect((await onLaptop.boundingBox())!.y).toBeGreaterThan(direct!.y);

    // The phone follows at once: the group is gone from its list, behind a closed "Archived (1)".
    const toggle = phone.page.getByRole('button', { name: 'Archived (1)' });
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await conversationLink(phone.page, /Night shift/).waitFor({ state: 'detached' });
    await conversationLink(phone.page, BOB).waitFor();

    // A new message leaves it archived: counted quietly, and not in the tab's title. The laptop
    // leaves the conversation first: with it open there, the message would be read at once.
    await laptop.page.goto(`${host.url}/`);
    await laptop.page.getByRole('button', { name: 'Archived (1)' }).waitFor();
    await postTexts(host, bob, group.id, ['while archived']);
    await toggle.click();
    const archived = archivedList(phone.page).getByRole('link', { name: /Night shift/ });
    await archived.getByRole('img', { name: '1 unread message' }).and(phone.page.locator('.quiet')).waitFor();
    for (const page of [phone.page, laptop.page]) expect(await page.title()).toBe('Conversations · Switchboard');
    expect((await host.http('GET', `/v1/conversations/${group.id}`, { token: ada.token })).body).toMatchObject({
      archivedAt: expect.any(String),
      unreadCount: 1,
    });
    expect(await seriousAxeViolations(phone.page)).toEqual([]);
    // In French too.
    await laptop.page.getByLabel('Language').selectOption('fr');
    await laptop.page.getByRole('button', { name: 'Archivées (1)' }).click();
    await laptop.page
      .getByRole('list', { name: 'Conversations archivées' })
      .getByRole('link', { name: /Night shift/ })
      .waitFor();
    await laptop.page.getByLabel('Langue').selectOption('en');

    // Opened from Archived and unarchived: back in the list on both devices, no Archived entry left.
    await archived.click();
    await messageLog(phone.page).getByText('while archived').waitFor();
    await phone.page.getByRole('button', { name: 'More actions' }).click();
    await phone.page.getByRole('button', { name: 'Unarchive', exact: true }).click();
    for (const page of [phone.page, laptop.page]) {
      await conversationLink(page, /Night shift/).waitFor();
      await page.getByRole('button', { name: /^Archived/ }).waitFor({ state: 'detached' });
    }
    expect((await host.http('GET', `/v1/conversations/${group.id}`, { token: ada.token })).body.archivedAt).toBeNull();
    expect([...laptop.problems.all, ...phone.problems.all]).toEqual([]);
  });
});

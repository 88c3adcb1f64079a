/**
 * Unread and mention counts in the web client's list, kept right across a person's devices, and
 * muting: the counts stay, shown quietly, and the person's other device follows at once. The tab's
 * title shows the total unread, live, the muted conversations left out.
 */
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { chatSuite, conversationLink, openAs, openConversation, postTexts } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: unread and mention badges, muting', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('counts unread messages and mentions, clears them on every device, and mutes on both', async () => {
    const { host, browser } = suite;
    const [ada, bob] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
    ]);
    const group = await host.createGroup(bob, [ada], 'Night shift');
    // With the group's creation, four messages are unread.
    await postTexts(host, bob, group.id, ['first', `ping @${ada.handle}`, 'third']);

    const [laptop, phone] = await Promise.all([openAs(browser, host, ada), openAs(browser, host, ada)]);
    for (const { page } of [laptop, phone]) {
      const link = conversationLink(page, /Night shift/);
      await link.getByRole('img', { name: '4 unread messages' }).waitFor();
      await link.getByRole('img', { name: '1 mention of you' }).waitFor();
      // The tab's title counts them too.
      expect(await page.title()).toBe('(4) Conversations · Switchboard');
    }
    expect(await seriousAxeViolations(laptop.page)).toEqual([]);

    // Reading on the laptop clears both counts on the phone.
    await openConversation(laptop.page, host, group.id);
    const onPhone = conversationLink(phone.page, /Night shift/);
    await onPhone.getByRole('img', { name: '1 mention of you' }).waitFor({ state: 'detached' });
    await onPhone.getByRole('img', { name: /unread/ }).waitFor({ state: 'detached' });
    expect(await phone.page.title()).toBe('Conversations · Switchboard');

    // Muted on the laptop: the phone shows it muted too, and new messages still count, quietly.
    await laptop.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await laptop.page.getByRole('button', { name: 'Until I unmute' }).click();
    await laptop.page.getByText('Muted', { exact: true }).waitFor();
    await onPhone.getByRole('img', { name: 'Muted' }).waitFor();
    // The laptop leaves the conversation first: with it open there, the new message would be read at once.
    await laptop.page.goto(`${host.url}/`);
    const onLaptop = conversationLink(laptop.page, /Night shift/);
    await onLaptop.getByRole('img', { name: 'Muted' }).waitFor();
    await postTexts(host, bob, group.id, ['while muted']);
    for (const link of [onLaptop, onPhone]) {
      await link.getByRole('img', { name: '1 unread message' }).and(link.page().locator('.quiet')).waitFor();
      // A muted conversation's messages are not counted in the title.
      expect(await link.page().title()).toBe('Conversations · Switchboard');
    }
    const listed = await host.http('GET', `/v1/conversations/${group.id}`, { token: ada.token });
    expect(Date.parse(listed.body.mutedUntil)).toBeGreaterThan(Date.now() + 365 * 24 * 3_600_000);

    await openConversation(laptop.page, host, group.id);
    await laptop.page.getByRole('button', { name: 'Unmute', exact: true }).click();
    await onPhone.getByRole('img', { name: 'Muted' }).waitFor({ state: 'detached' });
    expect((await host.http('GET', `/v1/conversations/${group.id}`, { token: ada.token })).body.mutedUntil).toBeNull();
  });
});

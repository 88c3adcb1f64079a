/**
 * What the web client shows of the other people: typing, read receipts, and the unread count
 * cleared on every device of a person once one of them reads. Real host, real Chromium.
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import {
  composer,
  conversationLink,
  messageItem,
  messageLog,
  openAs,
  openConversation,
  postTexts,
  sendText,
  chatSuite,
  adaAndBob,
  adaBobAndCarolIn,
  openEach,
} from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web chat: typing, receipts and unread counts', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('shows who is typing until they send or leave the field, and "Seen" once the other person read', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob]);

    // Typing is not queued while connecting: wait until Ada's client is online (Bob's presence is known).
    await a.page.locator('.chat-subtitle').getByText('Online').waitFor();
    await composer(a.page).pressSequentially('Hel');
    const typing = b.page.getByText('Ada Lovelace is typing…');
    await typing.waitFor();
    await composer(a.page).pressSequentially('lo');
    await composer(a.page).press('Enter');
    await typing.waitFor({ state: 'detached' });
    await messageItem(b.page, 'Hello').waitFor();

    // Leaving the field stops it too.
    await composer(a.page).pressSequentially('Still');
    await typing.waitFor();
    await a.page.getByRole('heading', { level: 1 }).click();
    await typing.waitFor({ state: 'detached' });

    // Bob has the conversation open in a focused window: Ada's message is read, and she sees it.
    await messageItem(a.page, 'Hello').getByText('Seen', { exact: true }).waitFor();
    await sendText(a.page, 'One more');
    await messageItem(a.page, 'One more').getByText('Seen', { exact: true }).waitFor();
    expect(await messageLog(a.page).getByText('Seen', { exact: true }).count()).toBe(1);
  });

  it('counts readers in a group: "Seen by 2", which opens to say who', async () => {
    const { host, browser } = suite;
    const { ada, bob, carol, group } = await adaBobAndCarolIn(host, 'Readers');
    // Bob has it open (and so reads it) as Ada writes.
    const [a] = await openEach(browser, host, group.id, [ada, bob]);
    await sendText(a.page, 'Who reads this?');
    await messageItem(a.page, 'Who reads this?').getByText('Seen by 1').waitFor();
    const c = await openAs(browser, host, carol);
    await openConversation(c.page, host, group.id);
    const seen = messageItem(a.page, 'Who reads this?').getByText('Seen by 2');
    await seen.waitFor();
    // Who saw it: under the count, opened by it (a disclosure), and in its tooltip.
    const who = /^(Bob Babbage and Carol Shaw|Carol Shaw and Bob Babbage)$/;
    // Names are fetched as readers appear: the count can come first.
    await expect.poll(() => seen.getAttribute('title')).toMatch(who);
    await seen.click();
    await messageItem(a.page, 'Who reads this?').getByText(who).waitFor();
    await a.page.getByLabel('Language').selectOption('fr');
    await messageItem(a.page, 'Who reads this?')
      .getByText(/^(Bob Babbage et Carol Shaw|Carol Shaw et Bob Babbage)$/)
      .waitFor();
  });

  it('does not count a member added after my message among its readers', async () => {
    const { host, browser } = suite;
    const [ada, bob, carol] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
      host.createUser({ displayName: 'Carol Shaw' }),
    ]);
    const group = await host.createGroup(ada, [bob], 'Latecomers');
    const [a] = await openEach(browser, host, group.id, [ada, bob]);
    await sendText(a.page, 'Before Carol');
    await messageItem(a.page, 'Before Carol').getByText('Seen by 1').waitFor();
    const added = await host.http('POST', `/v1/conversations/${group.id}/members`, {
      token: ada.token,
      body: { userIds: [carol.id] },
    });
    expect(added.status).toBe(200);
    // The header counts the member list fetched again after the change, Carol's watermark in it.
    await a.page.locator('.chat-subtitle').getByText('3 members').waitFor();
    expect(await messageItem(a.page, 'Before Carol').getByText('Seen by 1').count()).toBe(1);
  });

  it('clears the unread count on every device once one of them reads', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, ada, direct.id, ['first']);
    const [phone, laptop] = await Promise.all([openAs(browser, host, bob), openAs(browser, host, bob)]);
    await postTexts(host, ada, direct.id, ['second']);
    for (const device of [phone, laptop]) {
      await conversationLink(device.page, /Ada Lovelace/)
        .getByRole('img', { name: '2 unread messages' })
        .waitFor();
    }
    await conversationLink(phone.page, /Ada Lovelace/).click();
    await messageItem(phone.page, 'second').waitFor();
    await conversationLink(laptop.page, /Ada Lovelace/)
      .getByRole('img', { name: /unread/ })
      .waitFor({ state: 'detached' });
    await conversationLink(phone.page, /Ada Lovelace/)
      .getByRole('img', { name: /unread/ })
      .waitFor({ state: 'detached' });
    // The host has the read too: a fresh listing says nothing is unread.
    const listed = await host.http('GET', '/v1/conversations', { token: bob.token });
    expect(listed.body.conversations.find((c: { id: string }) => c.id === direct.id).unreadCount).toBe(0);
  });
});

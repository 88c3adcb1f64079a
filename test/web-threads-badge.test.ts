/**
 * The sidebar's Threads link counts the followed threads with replies one has not read, live on
 * every device: it goes up as others reply, one's own reply reads a thread, opening a thread clears
 * it on all of one's devices, and a muted conversation's threads leave the count (the Threads view
 * shows them quietly).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { chatSuite, openAs, postTexts } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: the Threads badge', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  const replyOverHttp = async (
    host: TestHost,
    user: TestUser,
    conversationId: string,
    rootId: string,
    text: string,
  ) => {
    const res = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
      token: user.token,
      body: { clientMsgId: `badge-${text}`, content: { type: 'text', text }, threadRootId: rootId },
    });
    expect(res.status).toBe(201);
  };
  const threadsLink = (page: Page, name: string) => page.getByRole('link', { name, exact: true });
  const badge = (page: Page) => page.locator('.threads-link .count-badge');

  it("shows others' new replies in followed threads on every device, and clears when a device opens the thread", async () => {
    const { host, browser } = suite;
    const [ada, bob] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
    ]);
    const group = await host.createGroup(bob, [ada], 'Night shift');
    // Bob's roots: he follows their threads as their author.
    await postTexts(host, bob, group.id, ['Who covers Sunday?', 'Pizza on Friday?']);
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages?limit=10`, { token: bob.token });
    const rootOf = (text: string) => history.body.messages.find((m: any) => m.content?.text === text).id as string;
    const [sunday, pizza] = [rootOf('Who covers Sunday?'), rootOf('Pizza on Friday?')];

    const [laptop, phone] = await Promise.all([openAs(browser, host, bob), openAs(browser, host, bob)]);
    const devices = [laptop.page, phone.page];
    for (const page of devices) await threadsLink(page, 'Threads').waitFor();

    // Ada's replies show live on both devices, counted by thread.
    await replyOverHttp(host, ada, group.id, sunday, 'I can');
    for (const page of devices) {
      await threadsLink(page, 'Threads, 1 unread').waitFor();
      expect(await badge(page).textContent()).toBe('1');
    }
    await replyOverHttp(host, ada, group.id, pizza, 'Yes please');
    for (const page of devices) await threadsLink(page, 'Threads, 2 unread').waitFor();
    expect(await seriousAxeViolations(phone.page)).toEqual([]);

    // Bob's own reply is no news to him: it reads that thread, on both devices.
    await replyOverHttp(host, bob, group.id, pizza, 'Margherita for me');
    for (const page of devices) await threadsLink(page, 'Threads, 1 unread').waitFor();

    // The laptop opens the thread from the Threads view: the badge goes, there and on the phone.
    await threadsLink(laptop.page, 'Threads, 1 unread').click();
    const entry = laptop.page
      .getByRole('list', { name: 'Threads you follow' })
      .getByRole('link', { name: /Who covers Sunday\?/ });
    await entry.getByRole('img', { name: '1 unread reply' }).click();
    await laptop.page.getByRole('complementary', { name: 'Thread' }).getByText('I can').waitFor();
    for (const page of devices) {
      await threadsLink(page, 'Threads').waitFor();
      expect(await badge(page).count()).toBe(0);
    }

    // A muted conversation's threads leave the badge; the Threads view shows them quietly.
    await threadsLink(laptop.page, 'Threads').click();
    await laptop.page.getByRole('list', { name: 'Threads you follow' }).waitFor();
    await replyOverHttp(host, ada, group.id, sunday, 'Or Monday');
    for (const page of devices) await threadsLink(page, 'Threads, 1 unread').waitFor();
    const muted = await host.http('PUT', `/v1/conversations/${group.id}/mute`, {
      token: bob.token,
      body: { until: 'forever' },
    });
    expect(muted.status).toBe(200);
    for (const page of devices) await threadsLink(page, 'Threads').waitFor();
    await entry.locator('.count-badge.quiet').getByText('1').waitFor();
  });

  it('names the badge in French', async () => {
    const { host, browser } = suite;
    const [ada, bob] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(ada, bob);
    await postTexts(host, bob, direct.id, ['On se voit demain ?']);
    const history = await host.http('GET', `/v1/conversations/${direct.id}/messages?limit=10`, { token: bob.token });
    const root = history.body.messages[0].id as string;
    const { page } = await openAs(browser, host, bob);
    await page.getByLabel('Language').selectOption('fr');
    await threadsLink(page, 'Fils').waitFor();
    await replyOverHttp(host, ada, direct.id, root, 'Oui, à midi');
    await threadsLink(page, 'Fils, 1 non lu').waitFor();
  });
});

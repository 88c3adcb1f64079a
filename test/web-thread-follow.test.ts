/**
 * Following threads in the web client: the thread panel's Follow / Unfollow button (replying
 * follows too), and the Threads view, whose unread badges come live on every device and clear on
 * all of them once one device reads the thread in its panel.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { chatSuite, messageItem, openAs, openConversation, postTexts } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: following threads', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  const followedRoots = async (host: TestHost, user: TestUser) => {
    const res = await host.http('GET', '/v1/threads', { token: user.token });
    return (res.body.threads as any[]).map((t) => t.root.content.text as string);
  };
  const replyOverHttp = async (
    host: TestHost,
    user: TestUser,
    conversationId: string,
    rootId: string,
    text: string,
  ) => {
    const res = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
      token: user.token,
      body: { clientMsgId: `thread-${text}`, content: { type: 'text', text }, threadRootId: rootId },
    });
    expect(res.status).toBe(201);
  };
  const openThread = async (page: Page, rootText: string) => {
    const root = messageItem(page, rootText);
    await root.getByRole('button', { name: /^Actions for/ }).click();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    return page.getByRole('complementary', { name: 'Thread' });
  };
  /** Ada and Bob, in Bob's group "Night shift". */
  const nightShift = async (host: TestHost) => {
    const [ada, bob] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
    ]);
    return { ada, bob, group: await host.createGroup(bob, [ada], 'Night shift') };
  };
  const threadList = (page: Page) => page.getByRole('list', { name: 'Threads you follow' });

  it('follows and unfollows from the panel, and a reply follows the thread', async () => {
    const { host, browser } = suite;
    const { ada, bob, group } = await nightShift(host);
    await postTexts(host, bob, group.id, ['Lunch on Friday?']);
    const { page } = await openAs(browser, host, ada);
    await openConversation(page, host, group.id);

    const panel = await openThread(page, 'Lunch on Friday?');
    // Bob's thread: Ada does not follow it yet.
    await panel.getByRole('button', { name: 'Follow thread', exact: true }).click();
    await panel.getByRole('button', { name: 'Unfollow thread', exact: true }).waitFor();
    await panel.getByText('Following', { exact: true }).waitFor();
    expect(await followedRoots(host, ada)).toEqual(['Lunch on Friday?']);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // By keyboard: the button takes Enter.
    const unfollow = panel.getByRole('button', { name: 'Unfollow thread', exact: true });
    await unfollow.focus();
    await unfollow.press('Enter');
    await panel.getByRole('button', { name: 'Follow thread', exact: true }).waitFor();
    expect(await panel.getByText('Following', { exact: true }).count()).toBe(0);
    expect(await followedRoots(host, ada)).toEqual([]);

    // Replying follows it on the host, and the panel says so.
    const box = panel.getByRole('textbox', { name: 'Reply in thread' });
    await box.fill('Count me in');
    await box.press('Enter');
    await panel.getByRole('button', { name: 'Unfollow thread', exact: true }).waitFor();
    expect(await followedRoots(host, ada)).toEqual(['Lunch on Friday?']);

    // Opened again later, the panel takes the state from the host.
    await page.reload();
    const again = await openThread(page, 'Lunch on Friday?');
    await again.getByRole('button', { name: 'Unfollow thread', exact: true }).waitFor();
  });

  it('lists followed threads with live unread badges that clear on every device when one reads', async () => {
    const { host, browser } = suite;
    const { ada, bob, group } = await nightShift(host);
    await postTexts(host, ada, group.id, ['Who covers Sunday?']);
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages?limit=10`, { token: ada.token });
    const root = history.body.messages.find((m: any) => m.content?.text === 'Who covers Sunday?');
    await replyOverHttp(host, bob, group.id, root.id, 'I can');

    // Both of Ada's devices show the Threads view, reached from the sidebar's link.
    const [laptop, phone] = await Promise.all([openAs(browser, host, ada), openAs(browser, host, ada)]);
    for (const { page } of [laptop, phone]) {
      await page.getByRole('link', { name: /^Threads(, \d+ unread)?$/ }).click();
      await page.getByRole('heading', { name: 'Threads', level: 1 }).waitFor();
    }
    const entry = (page: Page) => threadList(page).getByRole('link', { name: /Night shift/ });
    for (const { page } of [laptop, phone]) {
      // Ada's root: she follows it from before Bob's reply, which is new to her.
      await entry(page).getByRole('img', { name: '1 unread reply' }).waitFor();
      await entry(page).getByText('Who covers Sunday?').waitFor();
      await entry(page).getByText('Bob Babbage: I can').waitFor();
    }
    expect(await seriousAxeViolations(phone.page)).toEqual([]);

    // A new reply counts at once on both devices, and becomes the last reply.
    await replyOverHttp(host, bob, group.id, root.id, 'Or Monday');
    for (const { page } of [laptop, phone]) {
      await entry(page).getByRole('img', { name: '2 unread replies' }).waitFor();
      await entry(page).getByText('Bob Babbage: Or Monday').waitFor();
    }

    // The laptop opens it by keyboard: the conversation, with the thread panel open, reads it.
    await entry(laptop.page).focus();
    await entry(laptop.page).press('Enter');
    const panel = laptop.page.getByRole('complementary', { name: 'Thread' });
    await panel.getByText('Or Monday').waitFor();
    await panel.getByRole('button', { name: 'Unfollow thread', exact: true }).waitFor();
    await entry(phone.page)
      .getByRole('img', { name: /unread/ })
      .waitFor({ state: 'detached' });
    const listed = await host.http('GET', '/v1/threads', { token: ada.token });
    expect(listed.body.threads[0]).toMatchObject({ unreadCount: 0 });

    // The laptop leaves the thread first: open there, a new reply would be read at once.
    await laptop.page.getByRole('link', { name: /^Threads(, \d+ unread)?$/ }).click();
    await threadList(laptop.page).waitFor();
    await replyOverHttp(host, bob, group.id, root.id, 'Final answer: Monday');
    for (const { page } of [laptop, phone]) {
      await entry(page).getByRole('img', { name: '1 unread reply' }).waitFor();
    }
  });
});

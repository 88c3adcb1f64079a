/**
 * Threads in the web client: a reply in a thread stays out of the main timeline, the root shows
 * how many replies it has (live, for everyone), and the thread panel shows the root and its replies.
 * A reply as a conversation's last message is named as one in the list. On a phone the thread is a
 * sheet over the whole screen, with its own way to close it, its header's words side by side (none
 * under another) and within the screen, even on a narrow phone with the thread followed.
 */
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import {
  adaAndBob,
  chatSuite,
  conversationLink,
  messageItem,
  messageLog,
  openAs,
  openConversation,
  openEach,
  postTexts,
  sendText,
} from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: threads', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('replies in a thread from the actions; both see the count and the replies in the panel, not in the timeline', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob] as const);
    await sendText(a.page, 'Lunch on Friday?');
    const root = messageItem(b.page, 'Lunch on Friday?');
    await root.getByRole('button', { name: /^Actions for/ }).click();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = b.page.getByRole('complementary', { name: 'Thread' });
    const box = panel.getByRole('textbox', { name: 'Reply in thread' });
    await box.fill('Yes, at noon');
    await box.press('Enter');
    await panel.getByRole('list', { name: 'Thread messages' }).getByText('Yes, at noon').waitFor();
    expect(await seriousAxeViolations(b.page)).toEqual([]);
    // On a wide screen the conversation makes room for the thread, rather than hiding under it.
    const [log, side] = await Promise.all([messageLog(b.page).boundingBox(), panel.boundingBox()]);
    expect(log!.x + log!.width).toBeLessThanOrEqual(side!.x);

    // Ada sees the count on the root, and the reply only in the thread.
    const count = messageItem(a.page, 'Lunch on Friday?').getByRole('button', { name: '1 reply' });
    await count.waitFor();
    expect(await messageLog(a.page).getByText('Yes, at noon').count()).toBe(0);
    // The reply is the conversation's last message: the list says it is in a thread, not in the timeline.
    await conversationLink(a.page, /Bob Babbage/)
      .getByText('Bob Babbage replied in a thread: Yes, at noon', { exact: true })
      .waitFor();
    await conversationLink(b.page, /Ada Lovelace/)
      .getByText('You replied in a thread: Yes, at noon', { exact: true })
      .waitFor();
    await count.click();
    const hers = a.page.getByRole('complementary', { name: 'Thread' });
    await hers.getByText('Yes, at noon').waitFor();
    expect(await hers.getByRole('textbox', { name: 'Reply in thread' }).getAttribute('placeholder')).toBe(
      'Reply in thread…',
    );
    await hers.getByRole('textbox', { name: 'Reply in thread' }).fill('See you there');
    await hers.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');
    await panel.getByText('See you there').waitFor();
    await messageItem(b.page, 'Lunch on Friday?').getByRole('button', { name: '2 replies' }).waitFor();
    await hers.getByRole('button', { name: 'Close thread' }).click();
    await hers.waitFor({ state: 'detached' });

    const history = await host.http('GET', `/v1/conversations/${direct.id}/messages?limit=10`, { token: ada.token });
    const rootMessage = history.body.messages.find((m: any) => m.content?.text === 'Lunch on Friday?');
    expect(rootMessage.thread).toMatchObject({ replyCount: 2 });
    expect(
      history.body.messages.filter((m: any) => m.threadRootId === rootMessage.id).map((m: any) => m.content.text),
    ).toEqual(['Yes, at noon', 'See you there']);
  });

  it('on a phone, a thread is a sheet over the whole screen, header included, and closes back to the conversation', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Small screen thread']);
    const { page } = await openAs(browser, host, ada, { viewport: { width: 390, height: 844 } });
    await openConversation(page, host, direct.id);
    const root = messageItem(page, 'Small screen thread');
    await root.getByRole('button', { name: /^Actions for/ }).click();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = page.getByRole('complementary', { name: 'Thread' });
    await panel.getByRole('textbox', { name: 'Reply in thread' }).waitFor();
    // It covered the app's header only in part (its top was the wide screen's header height).
    expect(await panel.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    const close = panel.getByRole('button', { name: 'Close thread' });
    const closeBox = (await close.boundingBox())!;
    expect(closeBox.y).toBeGreaterThanOrEqual(0);
    expect(closeBox.x + closeBox.width).toBeLessThanOrEqual(390);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await close.click();
    await panel.waitFor({ state: 'detached' });
    await messageItem(page, 'Small screen thread').waitFor();
  });

  it("on a narrow phone, a followed thread's header keeps each word clear of the others and on screen", async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Narrow screen thread']);
    const { page } = await openAs(browser, host, ada, { viewport: { width: 360, height: 740 } });
    await openConversation(page, host, direct.id);
    const root = messageItem(page, 'Narrow screen thread');
    await root.getByRole('button', { name: /^Actions for/ }).click();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = page.getByRole('complementary', { name: 'Thread' });
    const box = panel.getByRole('textbox', { name: 'Reply in thread' });
    await box.fill('Replying follows it');
    await box.press('Enter');
    const header = panel.locator('.thread-header');
    await header.getByText('Following', { exact: true }).waitFor();
    const parts = [
      header.getByRole('heading', { name: 'Thread' }),
      header.getByText('Following', { exact: true }),
      header.getByRole('button', { name: 'Unfollow thread' }),
      header.getByRole('button', { name: 'Close thread' }),
    ];
    const boxes = await Promise.all(parts.map(async (part) => (await part.boundingBox())!));
    // The heading's box is its text's: squeezed to nothing, "Thread" ran on under "Following".
    expect(await parts[0]!.evaluate((el: any) => el.scrollWidth <= el.clientWidth)).toBe(true);
    const overlap = (a: (typeof boxes)[0], b: (typeof boxes)[0]) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    for (const [i, a] of boxes.entries()) {
      expect(a.x).toBeGreaterThanOrEqual(0);
      expect(a.x + a.width).toBeLessThanOrEqual(360);
      for (const b of boxes.slice(i + 1)) expect(overlap(a, b)).toBe(false);
    }
  });

  it("on a wide screen the thread panel starts under the app's header, not over its edge", async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Wide screen thread']);
    const { page } = await openAs(browser, host, ada, { viewport: { width: 1280, height: 800 } });
    await openConversation(page, host, direct.id);
    const root = messageItem(page, 'Wide screen thread');
    await root.getByRole('button', { name: /^Actions for/ }).click();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = page.getByRole('complementary', { name: 'Thread' });
    await panel.getByRole('textbox', { name: 'Reply in thread' }).waitFor();
    const [banner, side] = [(await page.getByRole('banner').first().boundingBox())!, (await panel.boundingBox())!];
    expect(side.y).toBeGreaterThanOrEqual(banner.y + banner.height - 0.5);
    expect(side.y + side.height).toBeLessThanOrEqual(800.5);
    // It says which conversation the thread is in.
    await panel.getByText('Bob Babbage', { exact: true }).first().waitFor();
  });

  it('opened from the Threads page on a phone, it names its conversation; closed, it leaves the address', async () => {
    const { host, browser } = suite;
    const [ada, bob] = await Promise.all([
      host.createUser({ displayName: 'Ada Lovelace' }),
      host.createUser({ displayName: 'Bob Babbage' }),
    ]);
    const group = await host.createGroup(bob, [ada], 'Tea Party');
    await postTexts(host, bob, group.id, ['Scones or cake?']);
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages?limit=10`, { token: ada.token });
    const rootId = history.body.messages.find((m: any) => m.content?.text === 'Scones or cake?').id;
    // Ada's reply makes her follow the thread: it is on her Threads page.
    const replied = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: ada.token,
      body: { clientMsgId: 'thread-scones', content: { type: 'text', text: 'Scones!' }, threadRootId: rootId },
    });
    expect(replied.status).toBe(201);
    const { page } = await openAs(browser, host, ada, { viewport: { width: 390, height: 844 } });
    await page.goto(`${host.url}/threads`);
    await page
      .getByRole('list', { name: 'Threads you follow' })
      .getByRole('link', { name: /Tea Party/ })
      .click();
    const panel = page.getByRole('complementary', { name: 'Thread' });
    await panel.getByText('Scones!').waitFor();
    expect(page.url()).toContain('#thread=');
    // The sheet covers the conversation's header: its own says which conversation this is.
    const named = panel.locator('.thread-header').getByText('Tea Party', { exact: true });
    await named.waitFor();
    const nameBox = (await named.boundingBox())!;
    expect(nameBox.x + nameBox.width).toBeLessThanOrEqual(390);

    await panel.getByRole('textbox', { name: 'Reply in thread' }).press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(page.url()).toBe(`${host.url}/c/${group.id}`);
    // A reload opens the conversation alone: the closed thread stays closed.
    await page.reload();
    await messageItem(page, 'Scones or cake?').getByRole('button', { name: '1 reply' }).waitFor();
    expect(await page.getByRole('complementary', { name: 'Thread' }).count()).toBe(0);
    // Back to the Threads page, then forward again, goes on working.
    await page.goBack();
    await page.getByRole('heading', { name: 'Threads', level: 1 }).waitFor();
  });
});

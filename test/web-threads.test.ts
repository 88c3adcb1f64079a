/**
 * Threads in the web client: a reply in a thread stays out of the main timeline, the root shows
 * how many replies it has (live, for everyone), and the thread panel shows the root and its replies.
 * A reply as a conversation's last message is named as one in the list. On a phone the thread is a
 * sheet over the whole screen, with its own way to close it.
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
});

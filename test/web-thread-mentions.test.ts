/**
 * Mentions in a thread's reply box, as in the conversation's composer: "@" and the start of a name
 * lists the members, Enter picks one (it does not send the half-written mention), and the reply
 * sent mentions them.
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { adaBobAndCarolIn, chatSuite, messageItem, openAs, openConversation, postTexts } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: mentions in a thread', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('lists members after @ in the thread composer, and Enter picks rather than sends', async () => {
    const { host, browser } = suite;
    const { ada, bob, carol, group } = await adaBobAndCarolIn(host, 'Engine room');
    await postTexts(host, bob, group.id, ['Who checks the boiler?']);
    const { page, problems } = await openAs(browser, host, ada);
    await openConversation(page, host, group.id);
    const item = messageItem(page, 'Who checks the boiler?');
    await item.getByRole('button', { name: /^Actions for/ }).click();
    await item.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = page.getByRole('complementary', { name: 'Thread' });
    const box = panel.getByRole('textbox', { name: 'Reply in thread' });

    await box.pressSequentially('Ask @car');
    const list = panel.getByRole('listbox', { name: 'People to mention' });
    await list.getByRole('option', { name: /Carol Shaw/ }).waitFor();
    expect(await list.getByRole('option').count()).toBe(1);
    await box.press('Enter');
    await expect.poll(() => box.inputValue()).toBe(`Ask @${carol.handle} `);
    await list.waitFor({ state: 'detached' });
    await box.pressSequentially('about it');
    await box.press('Enter');
    await panel.getByText(`Ask @${carol.handle} about it`).waitFor();

    // One reply was sent, the whole mention in it.
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages?limit=10`, { token: ada.token });
    const rootId: string = history.body.messages.find((m: any) => m.content?.text === 'Who checks the boiler?').id;
    const replies = async () =>
      (await host.http('GET', `/v1/conversations/${group.id}/threads/${rootId}/messages`, { token: ada.token })).body
        .messages;
    await expect
      .poll(async () => (await replies()).map((m: any) => m.content.text))
      .toEqual([`Ask @${carol.handle} about it`]);
    expect((await replies())[0].entities).toEqual([
      { type: 'mention', offset: 'Ask '.length, length: carol.handle.length + 1, userId: carol.id },
    ]);
    expect(problems.all).toEqual([]);
  });
});

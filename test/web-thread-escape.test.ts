/**
 * Escape in a thread's panel closes the innermost thing open there, not the panel with it: the image
 * viewer opened from a message in the thread, a reply's actions, an edit in progress. Escape with
 * nothing of that open closes the panel (web-threads.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { chromiumMissing } from './support/browser.js';
import { upload } from './support/attachment-helpers.js';
import { plainPng } from './support/image-fixtures.js';
import { adaAndBob, chatSuite, messageItem, openAs, openConversation } from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web client: Escape in a thread', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('closes the viewer, the actions or the edit, and leaves the thread open', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const uploaded = await upload(host, bob, await plainPng(64, 48), 'plan.png', 'image/png');
    expect(uploaded.status).toBe(201);
    const sent = await host.http('POST', `/v1/conversations/${direct.id}/messages`, {
      token: bob.token,
      body: { clientMsgId: 'plan', content: { type: 'text', text: 'The plan' }, attachmentIds: [uploaded.body.id] },
    });
    expect(sent.status).toBe(201);
    const { page, problems } = await openAs(browser, host, ada);
    await openConversation(page, host, direct.id);
    const root = messageItem(page, 'The plan');
    await root.getByRole('button', { name: /^Actions for/ }).click();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const panel = page.getByRole('complementary', { name: 'Thread' });
    const box = panel.getByRole('textbox', { name: 'Reply in thread' });
    await box.fill('Looks good');
    await box.press('Enter');
    const reply = panel.getByRole('listitem').filter({ hasText: 'Looks good' });
    await reply.getByRole('button', { name: 'Actions for your message' }).waitFor();

    // The image, opened from the thread's root.
    await panel.getByRole('button', { name: 'Open plan.png' }).click();
    const viewer = page.getByRole('dialog', { name: 'Image plan.png' });
    await viewer.getByRole('button', { name: 'Close' }).waitFor();
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    expect(await panel.isVisible()).toBe(true);

    // A reply's actions.
    const actions = reply.getByRole('button', { name: 'Actions for your message' });
    await actions.click();
    await reply.getByRole('button', { name: 'Edit' }).waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => actions.getAttribute('aria-expanded')).toBe('false');
    expect(await panel.isVisible()).toBe(true);

    // An edit of the reply.
    await actions.click();
    await reply.getByRole('button', { name: 'Edit' }).click();
    // Being edited, the reply's text is the edit box's value: the box is found in the panel.
    const edit = panel.getByRole('textbox', { name: 'Edit your message' });
    await edit.waitFor();
    await edit.press('Escape');
    await edit.waitFor({ state: 'detached' });
    expect(await panel.isVisible()).toBe(true);

    // Nothing else open: Escape is the panel's.
    await box.press('Escape');
    await panel.waitFor({ state: 'detached' });
    expect(problems.all).toEqual([]);
  });
});

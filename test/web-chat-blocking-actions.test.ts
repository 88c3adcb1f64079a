/**
 * What a message offers in a blocked direct chat. Ada, who blocks Bob, is offered no Reply, React
 * or Pin on its messages (the host would refuse them), nor Bob's reaction chip to add hers to; she
 * can still take back her own reaction, forward, report, edit and delete. Unblocking brings them
 * back. Bob, who is not told, keeps every action: his reaction and pin are refused under the
 * message in the neutral words of a refused send.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { adaAndBob, chatSuite, composer, messageItem, openEach, postTexts } from './support/web-chat.js';

const NEUTRAL = 'You can’t send messages in this conversation right now.';

describe.skipIf(chromiumMissing)('web chat: message actions while blocking', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('offers the person who blocks no reply, reaction or pin until she unblocks; the person blocked is refused in neutral words', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    await postTexts(host, bob, direct.id, ['Lunch on Friday?']);
    await postTexts(host, ada, direct.id, ['Sure']);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob] as const);
    // Before the block, each reacts to Bob's message.
    await (await actionsOf(a.page, 'Lunch on Friday?')).getByRole('button', { name: 'React with 👍' }).click();
    await (await actionsOf(b.page, 'Lunch on Friday?')).getByRole('button', { name: 'React with ❤️' }).click();
    const lunch = messageItem(a.page, 'Lunch on Friday?');
    await chip(lunch, '❤️').waitFor();
    await chip(lunch, '👍').waitFor();

    // Blocked from another of her devices: the open chat follows.
    const res = await host.http('PUT', `/v1/me/blocks/${bob.id}`, { token: ada.token });
    expect(res.status).toBe(200);
    await composer(a.page).waitFor({ state: 'detached' });

    // On Bob's message: no Reply, no new reaction, no Pin; taking hers back, forwarding, reporting stay.
    const panel = await actionsOf(a.page, 'Lunch on Friday?');
    expect(await names(panel)).toEqual(['Reply in thread', 'Remove your 👍 reaction', 'Forward', 'Report']);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await a.page.keyboard.press('Escape');
    // Bob's chip cannot take hers; her own chip still takes it back.
    expect(await chip(lunch, '❤️').isDisabled()).toBe(true);
    await chip(lunch, '👍').click();
    await chip(lunch, '👍').waitFor({ state: 'detached' });
    // On her own message: edit and delete stay.
    const own = await actionsOf(a.page, 'Sure');
    expect(await names(own)).toEqual(['Reply in thread', 'Forward', 'Edit', 'Delete']);
    await a.page.keyboard.press('Escape');

    // Bob is not told: he is offered everything, and refused in words that name nobody.
    const sure = messageItem(b.page, 'Sure');
    await (await actionsOf(b.page, 'Sure')).getByRole('button', { name: 'React with 😂' }).click();
    await sure.getByText(NEUTRAL).waitFor();
    expect(await sure.innerText()).not.toMatch(/block/i);
    await (await actionsOf(b.page, 'Lunch on Friday?')).getByRole('button', { name: 'Pin' }).click();
    await messageItem(b.page, 'Lunch on Friday?').getByText(NEUTRAL).waitFor();
    expect(await b.page.getByText(/block/i).count()).toBe(0);

    // Unblocked, Ada is offered them all again, and they go through.
    await a.page.getByRole('button', { name: 'Unblock Bob Babbage' }).click();
    await composer(a.page).waitFor();
    const again = await actionsOf(a.page, 'Lunch on Friday?');
    expect(await names(again)).toEqual([
      'Reply',
      'Reply in thread',
      'React with 👍',
      'React with ❤️',
      'React with 😂',
      'React with 😮',
      'React with 😢',
      'React with 🎉',
      'Pin',
      'Forward',
      'Report',
    ]);
    await again.getByRole('button', { name: 'React with 😂' }).click();
    await chip(messageItem(b.page, 'Lunch on Friday?'), '😂').waitFor();
    expect(await chip(lunch, '❤️').isDisabled()).toBe(false);
    expect([...a.problems.all, ...b.problems.all]).toEqual([]);
  });
});

/** Opens a message's actions and returns their panel, once shown. */
async function actionsOf(page: Page, text: string): Promise<Locator> {
  const item = messageItem(page, text);
  await item.getByRole('button', { name: /^Actions for/ }).click();
  const panel = item.getByRole('group', { name: 'Message actions' });
  await panel.getByRole('button', { name: 'Forward' }).waitFor();
  return panel;
}

/** The buttons' names in a message's actions panel, in order. */
const names = (panel: Locator): Promise<string[]> =>
  panel
    .getByRole('button')
    .evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? b.textContent ?? ''));

/** A message's reaction chip for an emoji. */
const chip = (item: Locator, emoji: string): Locator =>
  item.locator('.reactions').getByRole('button', { name: new RegExp(`^${emoji} `) });

/**
 * Blocking in the web client: Ada blocks Bob from their direct chat's header (asked first, focus on
 * Cancel); her composer gives way to a notice, and Bob's message is refused with neutral words. Her
 * profile, on another device, lists him; unblocking there brings her composer back live, and Bob's
 * retry goes through.
 */
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import {
  adaAndBob,
  chatSuite,
  composer,
  focusedOn,
  messageItem,
  openAs,
  openEach,
  sendText,
} from './support/web-chat.js';

describe.skipIf(chromiumMissing)('web chat: blocking a person', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('Ada blocks Bob, who cannot write to her any more, then unblocks him from her profile', async () => {
    const { host, browser } = suite;
    const { ada, bob, direct } = await adaAndBob(host);
    const [a, b] = await openEach(browser, host, direct.id, [ada, bob] as const);
    await sendText(b.page, 'Before the block');
    await messageItem(a.page, 'Before the block').waitFor();

    await a.page.getByRole('button', { name: 'Block Bob Babbage' }).click();
    const question = a.page.getByRole('group', { name: /^Block Bob Babbage\?/ });
    await question.waitFor();
    expect((await focusedOn(a.page))?.name).toBe('Cancel');
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await question.getByRole('button', { name: 'Block', exact: true }).click();

    const notice = a.page.getByRole('status').filter({ hasText: 'You blocked Bob Babbage. Unblock to send messages.' });
    await notice.waitFor();
    await composer(a.page).waitFor({ state: 'detached' });
    expect((await focusedOn(a.page))?.name).toBe('Unblock Bob Babbage');
    // What was said before stays.
    await messageItem(a.page, 'Before the block').waitFor();

    // Bob is told no more than that his message was not sent.
    await sendText(b.page, 'Are you there?');
    const refused = messageItem(b.page, 'Are you there?');
    await refused.getByText('Not sent: You can’t send messages in this conversation right now.').waitFor();
    expect(await refused.innerText()).not.toMatch(/block/i);

    // Her profile, on another device, lists him; unblocking there reaches the open chat at once.
    const phone = await openAs(browser, host, ada);
    await phone.page.goto(`${host.url}/profile`);
    const blocked = phone.page.getByRole('region', { name: 'Blocked people' });
    await blocked.getByText('Bob Babbage').waitFor();
    expect(await seriousAxeViolations(phone.page)).toEqual([]);
    await blocked.getByRole('button', { name: 'Unblock Bob Babbage' }).click();
    await blocked.getByText('You have not blocked anyone.').waitFor();
    await composer(a.page).waitFor();
    await notice.waitFor({ state: 'detached' });

    await refused.getByRole('button', { name: 'Retry' }).click();
    await messageItem(a.page, 'Are you there?').waitFor();

    // Blocking again, then unblocking from the header: asked too.
    await a.page.getByRole('button', { name: 'Block Bob Babbage' }).click();
    await a.page.getByRole('button', { name: 'Block', exact: true }).click();
    await notice.waitFor();
    await a.page.getByRole('button', { name: 'Unblock Bob Babbage' }).click();
    await a.page
      .getByRole('group', { name: /^Unblock Bob Babbage\?/ })
      .getByRole('button', { name: 'Unblock' })
      .click();
    await composer(a.page).waitFor();
    expect([...a.problems.all, ...b.problems.all, ...phone.problems.all]).toEqual([]);
  });
});

/**
 * Reports of abuse in the web client. Ada reports Bob's message from its actions in their group
 * (a reason is asked for; the note goes with it), then Bob himself from their direct chat; the
 * dialog thanks her and gives the focus back. The operator, in the console's Reports tab, reads
 * the report with the message as it was, deletes the message (Carol's browser shows it deleted,
 * live) and dismisses the other report. No serious axe violation.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { queue, reported } from './support/report-helpers.js';
import { openAdminConsole, openSection, region } from './support/web-admin.js';
import { adaBobAndCarolIn, chatSuite, focusedOn, messageItem, openConversation, openEach } from './support/web-chat.js';

const reportDialog = (page: Page, name: string) => page.getByRole('dialog', { name });

describe.skipIf(chromiumMissing)('web client: reporting abuse', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('Ada reports Bob’s message from its actions, then Bob from their direct chat', async () => {
    const { host, browser } = suite;
    const { ada, bob, group } = await adaBobAndCarolIn(host, 'Book club');
    const bobs = await host.connect(bob.token);
    await bobs.sendText(group.id, 'Buy cheap watches at example.com');
    const { message: mine } = await (await host.connect(ada.token)).sendText(group.id, 'Who reads next?');
    const [a] = await openEach(browser, host, group.id, [ada] as const);

    // Her own message offers no Report.
    const own = messageItem(a.page, 'Who reads next?');
    await own.getByRole('button', { name: 'Actions for your message' }).click();
    await own
      .getByRole('group', { name: 'Message actions' })
      .getByRole('button', { name: 'Reply', exact: true })
      .waitFor();
    expect(await own.getByRole('button', { name: 'Report' }).count()).toBe(0);
    await a.page.keyboard.press('Escape');

    const item = messageItem(a.page, 'Buy cheap watches');
    const toggle = item.getByRole('button', { name: 'Actions for the message from Bob Babbage' });
    await toggle.click();
    await item.getByRole('group', { name: 'Message actions' }).getByRole('button', { name: 'Report' }).click();
    const dialog = reportDialog(a.page, 'Report message');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByText('Choose a reason.').waitFor();
    await dialog.getByRole('radio', { name: 'Spam or scam' }).check();
    await dialog.getByRole('textbox', { name: 'Anything to add? (optional)' }).fill('Posted in every group');
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Send report' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Your report was sent to the operator' }).waitFor();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await focusedOn(a.page))?.name).toBe('Actions for the message from Bob Babbage');

    const [report] = (await queue(host)).reports.filter((r) => r.reporterId === ada.id);
    expect(report).toMatchObject({
      userId: bob.id,
      reason: 'spam',
      note: 'Posted in every group',
      message: { content: { type: 'text', text: 'Buy cheap watches at example.com' } },
    });
    expect(report.messageId).not.toBe(mine.id);

    const direct = await host.direct(ada, bob);
    await openConversation(a.page, host, direct.id);
    // In the conversation's menu (⋯), which keeps the header to one row with the name on a phone.
    await a.page.getByRole('button', { name: 'More actions' }).click();
    await a.page.getByRole('button', { name: 'Report Bob Babbage' }).click();
    const person = reportDialog(a.page, 'Report Bob Babbage');
    await person.getByRole('radio', { name: 'Harassment or bullying' }).check();
    await person.getByRole('button', { name: 'Send report' }).click();
    await person.getByRole('status').waitFor();
    await a.page.keyboard.press('Escape');
    await person.waitFor({ state: 'detached' });
    expect((await focusedOn(a.page))?.name).toBe('More actions');
    const reports = (await queue(host)).reports.filter((r) => r.reporterId === ada.id && r.messageId === null);
    expect(reports).toMatchObject([{ userId: bob.id, reason: 'harassment', message: null }]);
    expect(a.problems.all).toEqual([]);
  });

  it('the operator deletes a reported message from the console and dismisses another report', async () => {
    const { host, browser } = suite;
    const { ada, bob, carol, group } = await adaBobAndCarolIn(host, 'Garden club');
    const { message } = await (await host.connect(bob.token)).sendText(group.id, 'Meet me alone, or else');
    const threat = await reported(host, ada, { conversationId: group.id, messageId: message.id, reason: 'harassment' });
    const other = await reported(host, bob, { userId: carol.id, reason: 'other', note: 'Just testing' });
    const [c] = await openEach(browser, host, group.id, [carol] as const);
    await messageItem(c.page, 'Meet me alone').waitFor();

    const page = await browser.newPage({ locale: 'en-US' });
    await openAdminConsole(page, host.url, host.adminToken);
    const panel = await openSection(page, 'Reports');
    const section = region(panel, 'Open reports');
    const card = section.getByRole('article', { name: 'Report of Bob Babbage' }).filter({ hasText: 'Meet me alone' });
    await card.getByText('Harassment or bullying').waitFor();
    await card.getByText(/^Reported by Ada Lovelace/).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await card.getByRole('button', { name: 'Delete the message' }).click();
    await card.getByText('Delete this message for everyone in its conversation?').waitFor();
    await card.getByRole('button', { name: 'Delete the message' }).click();
    await section.getByRole('status').filter({ hasText: 'Message deleted; its reports are resolved.' }).waitFor();
    await card.waitFor({ state: 'detached' });
    // Carol sees the tombstone at once.
    await messageItem(c.page, 'This message was deleted').waitFor();
    expect(await messageItem(c.page, 'Meet me alone').count()).toBe(0);

    const carolsCard = section
      .getByRole('article', { name: 'Report of Carol Shaw' })
      .filter({ hasText: 'Just testing' });
    await carolsCard.getByRole('button', { name: 'Dismiss' }).click();
    await section.getByRole('status').filter({ hasText: 'Report dismissed.' }).waitFor();
    await carolsCard.waitFor({ state: 'detached' });
    const resolved = (await queue(host, '?status=resolved')).reports;
    expect(resolved.find((r) => r.id === threat.id)?.resolution.action).toBe('delete_message');
    expect(resolved.find((r) => r.id === other.id)?.resolution.action).toBe('dismiss');
    expect(c.problems.all).toEqual([]);
  });
});

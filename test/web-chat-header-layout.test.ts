/**
 * The conversation's header where space is short: on a phone it keeps to one row (the way back, the
 * name cut short, the actions) so the log has the screen; open group details are a sheet over it
 * (on a laptop, a side panel beside the log, the composer staying on screen); the
 * header's actions stand together, spaced.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { adaAndBob, chatSuite, composer, messageLog, openAs, openConversation } from './support/web-chat.js';

const PHONE = { width: 375, height: 700 };
const LAPTOP = { width: 1280, height: 800 };
const TITLE = 'The difference engine working group of the Analytical Society';

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error('the element is not displayed');
  return found;
}

/** A group of eight with a long name, owned by its first member. */
async function bigGroup(host: TestHost): Promise<{ owner: TestUser; id: string }> {
  const people = await Promise.all(
    [
      'Ada Lovelace',
      'Bob Babbage',
      'Carol Shaw',
      'Dan Bricklin',
      'Eve Ritchie',
      'Fay Allen',
      'Gus Hopper',
      'Hal Kay',
    ].map((displayName) => host.createUser({ displayName })),
  );
  const group = await host.createGroup(people[0]!, people.slice(1), TITLE);
  return { owner: people[0]!, id: group.id };
}

/** Whether an input's placeholder fits its box whole, measured in the input's own font. */
function placeholderFits(input: Locator): Promise<boolean> {
  return input.evaluate((el: any) => {
    const style = (globalThis as any).getComputedStyle(el);
    const context = (globalThis as any).document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return context.measureText(el.placeholder).width <= room;
  });
}

/** The composer, with its send button (named in the page's language), lies wholly inside the viewport. */
async function composerOnScreen(page: Page, height: number, sendName = 'Send') {
  const input = await box(composer(page));
  const send = await box(page.getByRole('button', { name: sendName, exact: true }));
  expect(input.y).toBeGreaterThan(0);
  expect(Math.max(input.y + input.height, send.y + send.height)).toBeLessThanOrEqual(height);
}

describe.skipIf(chromiumMissing)('web chat: the conversation header where space is short', { timeout: 120_000 }, () => {
  const suite = chatSuite();

  it('on a phone the header is one row and the log starts high; the hint stays on one line', async () => {
    const { host, browser } = suite;
    const { owner, id } = await bigGroup(host);
    const { page, problems } = await openAs(browser, host, owner, { viewport: PHONE });
    await openConversation(page, host, id);
    const heading = page.getByRole('heading', { name: TITLE, level: 1 });
    const back = page.getByRole('link', { name: 'Back to conversations' });
    const mute = page.getByRole('button', { name: 'Mute', exact: true });
    const details = page.getByRole('button', { name: 'Group details' });

    // The way back, the name and both actions share one row; the name is cut short, not wrapped.
    const [title, backBox, muteBox, detailsBox] = [
      await box(heading),
      await box(back),
      await box(mute),
      await box(details),
    ];
    expect(title.height).toBeLessThan(36);
    expect(await heading.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    for (const other of [backBox, muteBox, detailsBox]) {
      expect(Math.abs(other.y + other.height / 2 - (title.y + title.height / 2))).toBeLessThan(16);
    }
    // Everything above the log (the app's header and the conversation's) takes under 30% of the screen.
    expect((await box(messageLog(page))).y).toBeLessThanOrEqual(210);
    // The composer's hint stays on one line: the box keeps a single line's height.
    expect((await box(composer(page))).height).toBeLessThanOrEqual(48);
    await composerOnScreen(page, PHONE.height);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      PHONE.width,
    );

    // In French (longer words) and muted (its state joins the subtitle), it still holds. The
    // language is in the app header's menu on a phone, folded again once chosen.
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('button', { name: 'Menu' }).click();
    expect(await page.getByLabel('Langue').isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Mettre en sourdine' }).click();
    await page.getByRole('button', { name: 'Jusqu’à réactivation' }).click();
    await page.getByRole('button', { name: 'Réactiver' }).waitFor();
    await page.getByText('En sourdine', { exact: true }).waitFor();
    expect((await box(messageLog(page))).y).toBeLessThanOrEqual(210);
    const reactivate = await box(page.getByRole('button', { name: 'Réactiver' }));
    const french = await box(page.getByRole('heading', { level: 1 }));
    expect(Math.abs(reactivate.y + reactivate.height / 2 - (french.y + french.height / 2))).toBeLessThan(16);
    expect((await box(composer(page))).height).toBeLessThanOrEqual(48);
    // The hint is not cut mid-word ("Écrire un messa"): shorter on a phone, the field's name unchanged.
    expect(await placeholderFits(composer(page))).toBe(true);
    expect(await composer(page).getAttribute('aria-label')).toBe('Message');

    // Open details are a sheet over the screen, their way out at its top; closed, the composer is back.
    await page.getByRole('button', { name: 'Détails du groupe' }).click();
    await page.getByRole('list', { name: 'Membres du groupe' }).waitFor();
    expect(await box(page.locator('#group-details'))).toEqual({ x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Fermer les détails' }).click();
    await composerOnScreen(page, PHONE.height, 'Envoyer');
    expect(problems.all).toEqual([]);
  });

  it('on a laptop, open details are a side panel: the log keeps most of its height, the composer stays on screen', async () => {
    const { host, browser } = suite;
    const { owner, id } = await bigGroup(host);
    const { page } = await openAs(browser, host, owner, { viewport: LAPTOP });
    await openConversation(page, host, id);

    // The actions stand together at the end of the row, a small gap between them.
    const mute = await box(page.getByRole('button', { name: 'Mute', exact: true }));
    const toggle = page.getByRole('button', { name: 'Group details' });
    const details = await box(toggle);
    expect(Math.abs(mute.y - details.y)).toBeLessThan(2);
    const gap = details.x - (mute.x + mute.width);
    expect(gap).toBeGreaterThanOrEqual(6);
    expect(gap).toBeLessThanOrEqual(16);

    const logBefore = await box(messageLog(page));
    await toggle.click();
    const panel = page.locator('#group-details');
    await panel.getByRole('list', { name: 'Members of the group' }).getByText('Hal Kay').waitFor();
    await composerOnScreen(page, LAPTOP.height);
    // Beside the conversation, not above it: the log keeps most of its height and is not covered.
    const [log, side] = [await box(messageLog(page)), await box(panel)];
    expect(log.height).toBeGreaterThan(LAPTOP.height / 2);
    expect(side.x).toBeGreaterThanOrEqual(log.x + log.width - 1);
    expect(side.height).toBeGreaterThan(600);
    // What is below the fold of the details is reached by scrolling them, not the page, and shows whole.
    const handles = page.getByLabel('Handles to add');
    await handles.scrollIntoViewIfNeeded();
    const field = await box(handles);
    expect(field.y).toBeGreaterThanOrEqual(side.y);
    expect(field.y + field.height).toBeLessThanOrEqual(side.y + side.height);
    await page.getByRole('button', { name: 'Leave group' }).scrollIntoViewIfNeeded();
    await composerOnScreen(page, LAPTOP.height);
    expect(await page.evaluate(() => (globalThis as any).document.scrollingElement.scrollTop)).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await toggle.click();
    await panel.waitFor({ state: 'hidden' });
    expect((await box(messageLog(page))).width).toBeCloseTo(logBefore.width, 0);
  });
  it('on a phone, a direct chat keeps room for the name beside Mute and the menu (Block and Report are in the menu)', async () => {
    const { host, browser } = suite;
    const { ada, direct } = await adaAndBob(host);
    const { page, problems } = await openAs(browser, host, ada, { viewport: PHONE });
    await openConversation(page, host, direct.id);
    const heading = page.getByRole('heading', { name: 'Bob Babbage', level: 1 });
    const title = await box(heading);
    const menu = page.getByRole('button', { name: 'More actions' });
    for (const action of [page.getByRole('button', { name: 'Mute', exact: true }), menu]) {
      const other = await box(action);
      expect(Math.abs(other.y + other.height / 2 - (title.y + title.height / 2))).toBeLessThan(16);
    }
    expect(await page.getByRole('button', { name: 'Block Bob Babbage' }).count()).toBe(0);
    // The name shows, not "Bob …": with Block beside Mute and the menu, the heading had under 120 px.
    expect(await heading.evaluate((el) => el.clientWidth)).toBeGreaterThanOrEqual(120);
    await menu.click();
    const items = page.getByRole('group', { name: 'More actions' });
    await items.getByRole('button', { name: 'Block Bob Babbage' }).waitFor();
    await items.getByRole('button', { name: 'Report Bob Babbage' }).waitFor();
    // The block question, asked in the menu's place, stays within the screen.
    await items.getByRole('button', { name: 'Block Bob Babbage' }).click();
    const question = await box(page.getByRole('group', { name: /^Block Bob Babbage\?/ }));
    expect(question.x).toBeGreaterThanOrEqual(0);
    expect(question.x + question.width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      PHONE.width,
    );
    expect(problems.all).toEqual([]);
  });
});

/**
 * The signed-in header, in real Chromium against a real host: the Money link only where the
 * payments plugin runs (the host's plugin listing says so, without a 404 for the page to log), the
 * money screen by its address on a host without it (or once the operator disabled it) saying so in
 * words, and on a phone one row at the page's margin whose menu holds the links and log out.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchBrowser, watchPageProblems, type BrowserHandle } from './support/browser.js';
import { startPaymentsHost } from './support/payments-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { signInPage } from './support/web-session.js';

const PHONE = { width: 390, height: 844 };

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error('the element is not displayed');
  return found;
}

const moneyLink = (page: Page) => page.getByRole('banner').getByRole('link', { name: 'Money' });

/** Signs in, and waits until the page has the host's plugin listing (the header is final from then on). */
async function signInKnowingPlugins(page: Page, host: TestHost, displayName: string) {
  const user = await host.createUser({ displayName });
  const listed = page.waitForResponse((res) => new URL(res.url()).pathname === '/v1/plugins');
  await signInPage(page, host.url, user);
  expect((await listed).status()).toBe(200);
  return user;
}

/** The header's controls on a phone: all on the header's first row, within the screen, at its margin. */
async function expectOneRow(page: Page) {
  const header = await box(page.getByRole('banner'));
  const brand = await box(page.getByRole('link', { name: 'Switchboard' }));
  const profile = await box(page.getByRole('banner').getByRole('link', { name: /\(your profile\)$/ }));
  const menu = await box(page.getByRole('button', { name: 'Menu' }));
  expect(brand.x).toBe(16);
  expect(menu.x + menu.width).toBeLessThanOrEqual(PHONE.width - 16 + 0.5);
  for (const item of [profile, menu])
    expect(Math.abs(item.y + item.height / 2 - (brand.y + brand.height / 2))).toBeLessThan(4);
  expect(header.height).toBeLessThan(64);
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
    PHONE.width,
  );
}

describe.skipIf(chromiumMissing)('web client: the header, on a host without payments', { timeout: 90_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;
  beforeAll(async () => {
    [host, browser] = await Promise.all([startTestHost(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('has no Money link, and /money by its address says payments are not available, in words', async () => {
    const page = await browser.newPage();
    const problems = await watchPageProblems(page);
    await signInKnowingPlugins(page, host, 'Grace Hopper');
    expect(await moneyLink(page).count()).toBe(0);
    await page.getByRole('button', { name: 'Log out' }).waitFor();

    await page.goto(`${host.url}/money`);
    await page.getByRole('heading', { name: 'Money', level: 1 }).waitFor();
    await page.getByText('Payments are not available on this server.').waitFor();
    expect(await page.getByText('Loading…').count()).toBe(0);
    expect(await page.getByText(/Something went wrong|route_not_found/).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);

    await page.getByLabel('Language').selectOption('fr');
    await page.getByText('Les paiements ne sont pas disponibles sur ce serveur.').waitFor();
    // Nothing asked of a plugin that is not there: no 404 for the browser to log.
    expect(problems.all).toEqual([]);
  });

  it('on a phone keeps to one row at the page’s margin', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    const problems = await watchPageProblems(page);
    await signInKnowingPlugins(page, host, 'Carol Danvers');
    await expectOneRow(page);
    expect(problems.all).toEqual([]);
  });
});

describe.skipIf(chromiumMissing)('web client: the header, on a host with payments', { timeout: 90_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;
  beforeAll(async () => {
    [host, browser] = await Promise.all([startPaymentsHost(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('links to the money screen', async () => {
    const page = await browser.newPage();
    await signInKnowingPlugins(page, host, 'Ada Lovelace');
    await moneyLink(page).click();
    await page.waitForURL(`${host.url}/money`);
    await page.getByRole('region', { name: 'Balance' }).waitFor();
  });

  it('on a phone folds Money, the language and log out into a menu, aligned with the rest', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    const problems = await watchPageProblems(page);
    await signInKnowingPlugins(page, host, 'Carol Danvers');
    await expectOneRow(page);
    const menu = page.getByRole('button', { name: 'Menu' });
    expect(await moneyLink(page).isVisible()).toBe(false);
    expect(await menu.getAttribute('aria-expanded')).toBe('false');

    // From the keyboard: open it, its items in a row under the first at the same margin.
    await menu.focus();
    await page.keyboard.press('Enter');
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    const [money, language, logout, brand] = [
      await box(moneyLink(page)),
      await box(page.getByLabel('Language')),
      await box(page.getByRole('button', { name: 'Log out' })),
      await box(page.getByRole('link', { name: 'Switchboard' })),
    ];
    expect(money.x).toBe(16);
    expect(money.y).toBeGreaterThan(brand.y + brand.height);
    for (const item of [language, logout]) expect(item.x + item.width).toBeLessThanOrEqual(PHONE.width - 16 + 0.5);
    // Escape folds it, and the focus goes back to its button.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Escape');
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(await menu.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);

    // Followed, the link folds the menu away too.
    await menu.click();
    await moneyLink(page).click();
    await page.waitForURL(`${host.url}/money`);
    await page.getByRole('region', { name: 'Balance' }).waitFor();
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    expect(problems.all).toEqual([]);
  });

  // Last: it leaves the host without payments.
  it('once the operator disables payments, the money screen says so and the link goes', async () => {
    const page = await browser.newPage();
    await signInKnowingPlugins(page, host, 'Dan Bricklin');
    await moneyLink(page).waitFor();
    const off = await host.http('POST', '/v1/admin/plugins/payments/disable', { token: 'admin' });
    expect(off.status).toBe(200);
    await moneyLink(page).click();
    await page.getByText('Payments are not available on this server.').waitFor();
    await moneyLink(page).waitFor({ state: 'detached' });
    expect(await page.getByText(/Something went wrong|route_not_found/).count()).toBe(0);
  });
});

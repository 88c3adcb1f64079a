import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing, launchBrowser, watchPageProblems, type BrowserHandle } from './support/browser.js';
import { eventually } from './support/eventually.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { signInPage } from './support/web-session.js';

async function box(locator: Locator) {
  const found = await locator.boundingBox();
  if (!found) throw new Error('the element is not displayed');
  return found;
}

function focusedElement(page: Page) {
  return page.evaluate(() => {
    const page = globalThis as any;
    const el = page.document.activeElement;
    return {
      id: String(el?.id ?? ''),
      text: String(el?.textContent ?? ''),
      outline: el ? String(page.getComputedStyle(el).outlineStyle) : '',
    };
  });
}

/** Unfolds the side column's consoles (folded for most people, who are neither agents nor operators). */
async function openConsoles(page: Page, summary = 'For agents and operators'): Promise<Locator> {
  await page.getByText(summary, { exact: true }).click();
  const nav = page.getByRole('navigation', { name: 'Consoles' });
  await nav.waitFor();
  return nav;
}

describe.skipIf(chromiumMissing)('web client: the shell', { timeout: 90_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;
  let user: TestUser;

  beforeAll(async () => {
    [host, browser] = await Promise.all([startTestHost(), launchBrowser()]);
    user = await host.createUser({ displayName: 'Margaret Hamilton' });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('switches to French and keeps the choice; a French browser starts in French', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${host.url}/login`);
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.lang)).toBe('en');

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('heading', { name: 'Se connecter à Switchboard' }).waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.lang)).toBe('fr');
    expect(await page.title()).toBe('Connexion · Switchboard');
    await page.getByLabel('Identifiant', { exact: true }).fill(user.handle);
    await page.getByLabel('Mot de passe', { exact: true }).fill('wrong password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('alert').filter({ hasText: "L'identifiant ou le mot de passe est incorrect." }).waitFor();

    await page.reload();
    await page.getByRole('heading', { name: 'Se connecter à Switchboard' }).waitFor();
    await page.getByLabel('Identifiant', { exact: true }).fill(user.handle);
    await page.getByLabel('Mot de passe', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('banner').getByText('Connecté en tant que Margaret Hamilton').waitFor();
    const consoles = await openConsoles(page, 'Pour les agents et les opérateurs');
    await consoles.getByRole('link', { name: 'Console agent' }).waitFor();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();

    const french = await browser.newPage({ locale: 'fr-CA' });
    await french.goto(`${host.url}/`);
    await french.getByRole('heading', { name: 'Se connecter à Switchboard' }).waitFor();
  });

  it('has no serious or critical accessibility violations signed out or in', async () => {
    const page = await browser.newPage();
    await page.goto(`${host.url}/login`);
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.goto(`${host.url}/register`);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Fill in this field.').first().waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await signInPage(page, host.url, user);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await (await openConsoles(page)).getByRole('link', { name: 'Admin console' }).click();
    await page.waitForURL(`${host.url}/admin`);
    await page.getByRole('main').getByRole('heading').first().waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('on a phone shows one column, and away from home only the main area with a way back', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const problems = await watchPageProblems(page);
    await signInPage(page, host.url, user);
    const nav = page.getByRole('navigation', { name: 'Conversations' });
    const main = page.getByRole('main');
    const [navBox, mainBox] = [await box(nav), await box(main)];
    expect(mainBox.y).toBeGreaterThanOrEqual(navBox.y + navBox.height);
    expect(mainBox.width).toBeGreaterThan(340);
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );

    // The admin console asks for its token before any request (this host has no business plugin,
    // whose routes the agent console would ask for, and a browser logs every 404 it gets).
    await (await openConsoles(page)).getByRole('link', { name: 'Admin console' }).click();
    await page.waitForURL(`${host.url}/admin`);
    await eventually(async () => !(await nav.isVisible()), { what: 'the side column to be hidden' });
    await page.getByRole('link', { name: 'Back to conversations' }).click();
    await page.waitForURL(`${host.url}/`);
    await nav.waitFor();
    expect(problems.all).toEqual([]);
  });

  it('on a wide screen shows the side column beside the main area', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signInPage(page, host.url, user);
    await (await openConsoles(page)).getByRole('link', { name: 'Agent console' }).click();
    await page.waitForURL(`${host.url}/agent`);
    await page.getByRole('main').getByRole('heading').first().waitFor();
    const [sideBox, mainBox] = [await box(page.locator('.sidebar')), await box(page.getByRole('main'))];
    expect(sideBox.x + sideBox.width).toBeLessThanOrEqual(mainBox.x);
    expect(Math.abs(sideBox.y - mainBox.y)).toBeLessThan(2);
    expect(await page.getByRole('link', { name: 'Back to conversations' }).isVisible()).toBe(false);
  });

  it('keeps the consoles folded at the bottom of the side column for most people, unfolded for an operator', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signInPage(page, host.url, user);
    const summary = page.getByText('For agents and operators', { exact: true });
    await summary.waitFor();
    expect(await page.getByRole('link', { name: /^(Agent|Admin) console$/ }).count()).toBe(0);
    // Below the conversations, in smaller type.
    const [list, fold] = [await box(page.getByRole('navigation', { name: 'Conversations' })), await box(summary)];
    expect(fold.y).toBeGreaterThanOrEqual(list.y + list.height);
    const size = (selector: string) =>
      page.locator(selector).evaluate((el) => parseFloat((globalThis as any).getComputedStyle(el).fontSize));
    expect(await size('.console-nav')).toBeLessThan(await size('.sidebar'));
    const consoles = await openConsoles(page);
    expect(await consoles.getByRole('link').allInnerTexts()).toEqual(['Agent console', 'Admin console']);

    // A tab that holds the admin token is an operator's: the consoles are there at once.
    await page.evaluate(() => (globalThis as any).sessionStorage.setItem('switchboard:admin-token', 'typed earlier'));
    await page.reload();
    await page.getByRole('navigation', { name: 'Consoles' }).getByRole('link', { name: 'Admin console' }).waitFor();
  });

  it('is usable from the keyboard: a skip link first, visible focus, log out by Enter', async () => {
    const page = await browser.newPage();
    await signInPage(page, host.url, user);
    await page.keyboard.press('Tab');
    const skip = await focusedElement(page);
    expect(skip.text).toBe('Skip to main content');
    // Off screen until focused, then in view.
    expect((await box(page.getByRole('link', { name: 'Skip to main content' }))).y).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    await eventually(async () => (await focusedElement(page)).id === 'main', { what: 'focus on the main area' });

    // From the header's first link on, Tab reaches each control with a visible focus ring, log out among them.
    const reached: string[] = [];
    await page.getByRole('link', { name: 'Switchboard' }).focus();
    for (let i = 0; i < 8 && !reached.includes('Log out'); i++) {
      await page.keyboard.press('Tab');
      const focused = await focusedElement(page);
      expect(focused.outline, focused.text).not.toBe('none');
      reached.push(focused.text.trim());
    }
    expect(reached).toContain('Log out');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
  });

  it('the agent console on a host without business chat says so in words', async () => {
    const page = await browser.newPage();
    await signInPage(page, host.url, user);
    await (await openConsoles(page)).getByRole('link', { name: 'Agent console' }).click();
    await page.getByText('Business chat is not enabled on this host.').waitFor();
  });
});

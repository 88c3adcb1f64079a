/**
 * The operator console (/admin) in real Chromium: it asks for the admin token (a wrong one gets a
 * sentence; the right one is kept in the tab's sessionStorage, never in localStorage), needs no
 * person signed in, and manages accounts: create, search, pages, deactivate (the person's open
 * socket closes), reactivate, reset a password, rename. No serious axe violation.
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing, launchBrowser, watchPageProblems, type BrowserHandle } from './support/browser.js';
import { closeCodeWithin } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { openAdminConsole, region, storedTokens } from './support/web-admin.js';
import { signInPage } from './support/web-session.js';

describe.skipIf(chromiumMissing)('web client: the operator console, people', { timeout: 120_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;

  beforeAll(async () => {
    [host, browser] = await Promise.all([startTestHost(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const login = (handle: string, password: string) =>
    host.http('POST', '/v1/auth/login', { body: { handle, password } });
  const unique = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}`;

  async function consolePage(): Promise<Page> {
    const page = await browser.newPage({ locale: 'en-US' });
    await openAdminConsole(page, host.url, host.adminToken);
    return page;
  }

  it('asks for the admin token, refuses a wrong one in words, and keeps the right one in this tab only', async () => {
    const page = await browser.newPage({ locale: 'en-US' });
    const problems = await watchPageProblems(page);
    await page.goto(`${host.url}/admin`);
    await page.getByRole('heading', { name: 'Admin console', level: 1 }).waitFor();
    // Nobody is signed in on this browser: the console does not send the page to /login.
    expect(new URL(page.url()).pathname).toBe('/admin');

    await page.getByRole('button', { name: 'Open the console' }).click();
    await page.getByText('Fill in this field.').waitFor();
    await page.getByLabel('Admin token').fill(`wrong-${randomUUID()}`);
    await page.getByRole('button', { name: 'Open the console' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The host refused this admin token. Check it, then try again.' })
      .waitFor();
    expect(await page.getByRole('tab').count()).toBe(0);
    expect((await storedTokens(page)).session).toBeNull();

    await page.getByLabel('Admin token').fill(host.adminToken);
    await page.getByRole('button', { name: 'Open the console' }).click();
    await page.getByRole('tab', { name: 'People', selected: true }).waitFor();
    const stored = await storedTokens(page);
    expect(stored.session).toBe(host.adminToken);
    expect(stored.local.join('\n')).not.toContain(host.adminToken);

    // A reload keeps the tab's token; another browser context (another tab's storage) asks again.
    await page.reload();
    await page.getByRole('tab', { name: 'People' }).waitFor();
    const other = await browser.newPage();
    await other.goto(`${host.url}/admin`);
    await other.getByLabel('Admin token').waitFor();

    await page.getByRole('button', { name: 'Forget the admin token' }).click();
    await page.getByLabel('Admin token').waitFor();
    expect((await storedTokens(page)).session).toBeNull();
    expect(problems.cspViolations).toEqual([]);
  });

  it('creates an account, finds it, deactivates it (its socket closes), reactivates it, resets its password and renames it', async () => {
    const page = await consolePage();
    const problems = await watchPageProblems(page);
    const panel = page.getByRole('tabpanel', { name: 'People' });
    const handle = unique('ops_');
    const create = region(panel, 'Create an account');
    await create.getByLabel('Handle').fill(handle);
    await create.getByLabel('Display name').fill('Grace Hopper');
    await create.getByLabel('Password').fill('first password');
    await create.getByRole('button', { name: 'Create the account' }).click();
    await create
      .getByRole('status')
      .filter({ hasText: `The account @${handle} is created.` })
      .waitFor();
    const created = await login(handle, 'first password');
    expect(created.status, JSON.stringify(created.body)).toBe(200);

    // Found by a part of the display name, ignoring case.
    const find = region(panel, 'Find people');
    await find.getByLabel('Handle or name').fill('grace hop');
    await find.getByRole('button', { name: 'Search' }).click();
    const row = find.getByRole('row').filter({ hasText: `@${handle}` });
    await row.getByRole('cell', { name: 'Active', exact: true }).waitFor();
    await row.getByRole('button', { name: `Manage @${handle}` }).click();
    const manage = region(panel, `Manage @${handle}`);
    await manage.getByText('This account is active.').waitFor();

    const socket = await host.connect(created.body.token);
    await manage.getByRole('button', { name: 'Deactivate the account' }).click();
    await manage
      .getByRole('status')
      .filter({ hasText: `@${handle} is deactivated. Their sessions have ended.` })
      .waitFor();
    expect(await closeCodeWithin(socket, 10_000)).toBe(4003);
    expect((await login(handle, 'first password')).body.error.code).toBe('account_deactivated');
    await row.getByRole('cell', { name: 'Deactivated', exact: true }).waitFor();
    await manage.getByText(/This account was deactivated on .*: it cannot sign in\./).waitFor();

    // Only deactivated accounts: it is there.
    await find.getByLabel('Status').selectOption('deactivated');
    await find.getByRole('button', { name: 'Search' }).click();
    await row.waitFor();

    await manage.getByRole('button', { name: 'Reactivate the account' }).click();
    await manage
      .getByRole('status')
      .filter({ hasText: `@${handle} can sign in again.` })
      .waitFor();
    expect((await login(handle, 'first password')).status).toBe(200);

    await manage.getByLabel('New password').fill('short');
    await manage.getByRole('button', { name: 'Reset the password' }).click();
    await manage.getByText('Use 8 to 256 characters.').waitFor();
    await manage.getByLabel('New password').fill('second password');
    await manage.getByRole('button', { name: 'Reset the password' }).click();
    await manage
      .getByRole('status')
      .filter({ hasText: `The password of @${handle} is reset.` })
      .waitFor();
    expect((await login(handle, 'second password')).status).toBe(200);
    expect((await login(handle, 'first password')).body.error.code).toBe('invalid_credentials');

    await manage.getByLabel('Display name').fill('Rear Admiral Hopper');
    await manage.getByRole('button', { name: 'Save the display name' }).click();
    await manage
      .getByRole('status')
      .filter({ hasText: `The display name of @${handle} is saved.` })
      .waitFor();
    const after = await host.http('GET', `/v1/admin/users/${created.body.user.id}`, { token: 'admin' });
    expect(after.body).toMatchObject({ displayName: 'Rear Admiral Hopper', status: 'active' });

    // A handle that is taken is refused in words.
    await create.getByLabel('Handle').fill(handle);
    await create.getByLabel('Display name').fill('Impostor');
    await create.getByLabel('Password').fill('some password');
    await create.getByRole('button', { name: 'Create the account' }).click();
    await create.getByRole('alert').filter({ hasText: 'That handle is already taken. Choose another one.' }).waitFor();
    // Chromium logs the refused request itself (409); nothing else may go wrong in the page.
    expect(problems.all.filter((p) => !p.includes('Failed to load resource'))).toEqual([]);
  });

  it('shows accounts a page at a time', async () => {
    const prefix = unique('pg');
    for (let i = 0; i < 23; i++) {
      const res = await host.http('POST', '/v1/admin/users', {
        token: 'admin',
        body: { handle: `${prefix}_${String(i).padStart(2, '0')}`, displayName: `Paged ${i}`, kind: 'bot' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const page = await consolePage();
    const find = region(page.getByRole('tabpanel', { name: 'People' }), 'Find people');
    await find.getByLabel('Handle or name').fill(prefix);
    await find.getByRole('button', { name: 'Search' }).click();
    await find.getByText('Accounts found: 20').waitFor();
    await find.getByRole('button', { name: 'Show more' }).click();
    await find.getByText('Accounts found: 23').waitFor();
    expect(await find.getByRole('button', { name: 'Show more' }).count()).toBe(0);
    const handles = await find.getByRole('rowheader').allTextContents();
    expect(handles).toEqual(Array.from({ length: 23 }, (_, i) => `@${prefix}_${String(i).padStart(2, '0')}`));
    await find
      .getByRole('row')
      .filter({ hasText: `@${prefix}_00` })
      .getByRole('cell', { name: 'Bot' })
      .waitFor();
  });

  it('has no serious accessibility violation, signed out or in the app frame, and speaks French', async () => {
    const person = await host.createUser({ displayName: 'Ada Operator' });
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(`${host.url}/admin`);
    await page.getByLabel('Admin token').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('Admin token').fill(host.adminToken);
    await page.getByRole('button', { name: 'Open the console' }).click();
    const panel = page.getByRole('tabpanel', { name: 'People' });
    await panel
      .getByRole('button', { name: /^Manage @/ })
      .first()
      .click();
    await region(panel, 'Create an account').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Arrow keys move between the sections, as tabs do.
    await page.getByRole('tab', { name: 'People' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Plugins and apps', selected: true }).waitFor();
    await eventually(
      async () =>
        (await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)) === 'Plugins and apps',
    );

    // Signed in as a person, the console is in the app frame, with the same token in this tab.
    await signInPage(page, host.url, person);
    await page.getByRole('navigation', { name: 'Consoles' }).getByRole('link', { name: 'Admin console' }).click();
    await page.getByRole('tab', { name: 'People' }).waitFor();
    await page.getByRole('banner').getByText('Signed in as Ada Operator').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByLabel('Language').selectOption('fr');
    await page.getByRole('tab', { name: 'Personnes' }).waitFor();
    await page.getByRole('heading', { name: "Console d'administration", level: 1 }).waitFor();
  });
});

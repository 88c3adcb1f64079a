import type { Locator, Page } from 'playwright-core';

/** The key under which the operator console keeps the admin token, in sessionStorage (web/src/admin/admin-token.ts). */
export const ADMIN_TOKEN_KEY = 'switchboard:admin-token';

/** Opens /admin, gives the admin token (English texts) and waits for the console's sections. */
export async function openAdminConsole(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Open the console' }).click();
  await page.getByRole('tab', { name: 'People' }).waitFor();
}

/** Opens a section of the console by its tab's name and returns its panel. */
export async function openSection(page: Page, name: string): Promise<Locator> {
  await page.getByRole('tab', { name }).click();
  const panel = page.getByRole('tabpanel', { name });
  await panel.waitFor();
  return panel;
}

/** The section of a panel headed `name` (a <section> labelled by its heading is a region). */
export function region(scope: Page | Locator, name: string): Locator {
  return scope.getByRole('region', { name, exact: true });
}

/** The page's storage: what the console kept in this tab, and everything in localStorage. */
export function storedTokens(page: Page): Promise<{ session: string | null; local: string[] }> {
  return page.evaluate((key) => {
    const page = globalThis as any;
    const local: string[] = [];
    for (let i = 0; i < page.localStorage.length; i++) local.push(page.localStorage.getItem(page.localStorage.key(i)));
    return { session: page.sessionStorage.getItem(key) as string | null, local };
  }, ADMIN_TOKEN_KEY);
}

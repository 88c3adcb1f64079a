import type { Page } from 'playwright-core';

export interface PageUser {
  handle: string;
  password: string;
  displayName: string;
}

/** The key under which the web client keeps its session token (web/src/session/app-store.ts). */
export const TOKEN_KEY = 'switchboard:token';

/** Signs a person in through the login form (English texts) and waits for the app frame's header. */
export async function signInPage(page: Page, baseUrl: string, user: PageUser): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Handle', { exact: true }).fill(user.handle);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('banner').getByText(`Signed in as ${user.displayName}`).waitFor();
}

/** The session token the page keeps, or null when signed out. */
export function pageToken(page: Page): Promise<string | null> {
  return page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
}

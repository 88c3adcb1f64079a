import type { Page } from 'playwright-core';

export interface PageUser {
  handle: string;
  password: string;
  displayName: string;
}

/** The key under which the web client keeps its session: `{ token, user }` (web/src/session/app-store.ts). */
const SESSION_KEY = 'switchboard:session';

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
  return page.evaluate((key) => {
    const saved = localStorage.getItem(key);
    return saved === null ? null : (JSON.parse(saved) as { token: string }).token;
  }, SESSION_KEY);
}

/** Saves a session as the web client does at sign-in, for the next load of the page to start from. */
export async function savePageSession(
  page: Page,
  token: string,
  user: { id: string; handle: string; displayName: string },
): Promise<void> {
  const saved = JSON.stringify({ token, user: { id: user.id, handle: user.handle, displayName: user.displayName } });
  await page.evaluate(([key, value]) => localStorage.setItem(key!, value!), [SESSION_KEY, saved]);
}

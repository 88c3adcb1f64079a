import type { Locator, Page } from 'playwright-core';
import type { BrowserHandle } from './browser.js';
import type { TestHost, TestUser } from './start-test-host.js';
import { openAs, type ChatPage } from './web-chat.js';

/** Signs `user` in on a new device and opens the agent console (English texts) at its inbox. */
export async function openAgentConsole(browser: BrowserHandle, host: TestHost, user: TestUser): Promise<ChatPage> {
  const opened = await openAs(browser, host, user, { locale: 'en-US' });
  await opened.page.goto(`${host.url}/agent`);
  await opened.page.getByRole('heading', { name: 'Inbox' }).waitFor();
  return opened;
}

/**
 * Waits for what only a live announcement in the agents' room can bring. If it never comes, the
 * failure says why it might not have: the business plugin's warnings (a lost announcement is
 * logged, not thrown), what the page reported, and what the open thread shows.
 */
export async function waitForAnnounced(
  host: TestHost,
  page: Page,
  target: Locator,
  problems: readonly string[] = [],
): Promise<void> {
  try {
    await target.waitFor();
  } catch (err) {
    const logs = await host.http('GET', '/v1/admin/plugins/business/logs?limit=50', { token: 'admin' });
    const shown = await page
      .getByRole('log', { name: 'Messages' })
      .innerText({ timeout: 1000 })
      .catch((e: unknown) => `(unreadable: ${String(e)})`);
    throw new Error(
      `${(err as Error).message}\nbusiness plugin logs: ${JSON.stringify(logs.body)}\n` +
        `page problems: ${JSON.stringify(problems)}\nthe thread shows: ${shown}`,
    );
  }
}

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

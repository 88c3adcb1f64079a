import type { BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser, watchPageProblems, type BrowserHandle, type PageProblems } from './browser.js';
import { startTestHost, type TestHost, type TestHostOptions, type TestUser } from './start-test-host.js';
import { signInPage } from './web-session.js';

/** A person's signed-in page (a browser context of its own: a device), and what went wrong in it. */
export interface ChatPage {
  page: Page;
  problems: PageProblems;
}

/** Signs `user` in on a new device (context) of the browser. */
export async function openAs(
  browser: BrowserHandle,
  host: TestHost,
  user: TestUser,
  options?: BrowserContextOptions,
): Promise<ChatPage> {
  const page = await browser.newPage(options);
  const problems = await watchPageProblems(page);
  await signInPage(page, host.url, user);
  return { page, problems };
}

/** The sidebar's conversation list. */
export const conversationNav = (page: Page): Locator => page.getByRole('navigation', { name: 'Conversations' });

/** The list's entry of a conversation, by (part of) its accessible name: title, preview, unread count. */
export const conversationLink = (page: Page, name: string | RegExp): Locator =>
  conversationNav(page).getByRole('link', { name });

/** The open conversation's message log. */
export const messageLog = (page: Page): Locator => page.getByRole('log', { name: 'Messages' });

/** The log's item holding a text (messages, system lines, pending sends). */
export const messageItem = (page: Page, text: string | RegExp): Locator =>
  messageLog(page).getByRole('listitem').filter({ hasText: text });

export const composer = (page: Page): Locator => page.getByRole('textbox', { name: 'Message', exact: true });

/** Types a message in the open conversation and sends it with Enter. */
export async function sendText(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** Opens a conversation at its address (a page load, as a link or a bookmark would). */
export async function openConversation(page: Page, host: TestHost, conversationId: string): Promise<void> {
  await page.goto(`${host.url}/c/${conversationId}`);
  await messageLog(page).waitFor();
}

/** Posts text messages over HTTP as `user` (history a test then reads back). */
export async function postTexts(
  host: TestHost,
  user: TestUser,
  conversationId: string,
  texts: string[],
): Promise<void> {
  for (const [i, text] of texts.entries()) {
    const res = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
      token: user.token,
      body: { clientMsgId: `seed-${conversationId}-${i}-${text.length}`, content: { type: 'text', text } },
    });
    if (res.status !== 201) throw new Error(`posting failed: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/**
 * Moves `user`'s read position to the conversation's newest message, as reading it on another
 * device would: it then opens at its newest message, with nothing marked new.
 */
export async function readAll(host: TestHost, user: TestUser, conversationId: string): Promise<void> {
  const { body } = await host.http('GET', `/v1/conversations/${conversationId}`, { token: user.token });
  const device = await host.connect(user.token);
  try {
    await device.request({ type: 'read', conversationId, seq: body.lastSeq });
  } finally {
    await device.close();
  }
}

/**
 * A suite's host and browser, started before its tests and stopped after them. Read them inside
 * tests (`suite.host`), once beforeAll has run. `browserArgs` go on Chromium's command line.
 */
export function chatSuite(
  options: TestHostOptions = {},
  browserArgs: readonly string[] = [],
): { readonly host: TestHost; readonly browser: BrowserHandle } {
  let host: TestHost | undefined;
  let browser: BrowserHandle | undefined;
  beforeAll(async () => {
    [host, browser] = await Promise.all([startTestHost(options), launchBrowser(browserArgs)]);
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });
  return {
    get host() {
      return host!;
    },
    get browser() {
      return browser!;
    },
  };
}

/** Ada and Bob, with their direct conversation. */
export async function adaAndBob(host: TestHost) {
  const [ada, bob] = await Promise.all([
    host.createUser({ displayName: 'Ada Lovelace' }),
    host.createUser({ displayName: 'Bob Babbage' }),
  ]);
  return { ada, bob, direct: await host.direct(ada, bob) };
}

/** Ada, Bob and Carol, in a group Ada made with that title. */
export async function adaBobAndCarol(host: TestHost) {
  const [ada, bob, carol] = await Promise.all([
    host.createUser({ displayName: 'Ada Lovelace' }),
    host.createUser({ displayName: 'Bob Babbage' }),
    host.createUser({ displayName: 'Carol Shaw' }),
  ]);
  return { ada, bob, carol };
}

export async function adaBobAndCarolIn(host: TestHost, title: string) {
  const { ada, bob, carol } = await adaBobAndCarol(host);
  return { ada, bob, carol, group: await host.createGroup(ada, [bob, carol], title) };
}

/** Reads back to the log's start, as a person scrolling up would (the log hears the scroll). */
export const scrollLogToTop = (page: Page) =>
  messageLog(page).evaluate((log) => {
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
  });

/** Each user signed in on a device of their own, with the conversation open. */
export async function openEach<const U extends readonly TestUser[]>(
  browser: BrowserHandle,
  host: TestHost,
  conversationId: string,
  users: U,
): Promise<{ [K in keyof U]: ChatPage }> {
  const pages = await Promise.all(
    users.map(async (user) => {
      const opened = await openAs(browser, host, user);
      await openConversation(opened.page, host, conversationId);
      return opened;
    }),
  );
  return pages as { [K in keyof U]: ChatPage };
}

/**
 * What has the focus (null for nothing, the page's body): its accessible name (or text), its role,
 * whether a focus ring is drawn, and, for an item of a message list, its message's text.
 */
export function focusedOn(page: Page) {
  return page.evaluate(() => {
    const dom = globalThis as any;
    const el = dom.document.activeElement;
    if (!el || el === dom.document.body) return null;
    const style = dom.getComputedStyle(el);
    return {
      name: String(el.getAttribute('aria-label') ?? el.textContent ?? '').trim(),
      role: String(el.getAttribute('role') ?? el.tagName.toLowerCase()),
      ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
      message: el.matches('.message-list > li') ? String(el.querySelector('.message-text')?.textContent ?? '') : null,
    };
  });
}

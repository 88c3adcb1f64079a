/** Shared steps of the search suites (test/search-*.test.ts). */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { SearchResult } from '../../sdk/protocol/search.js';
import type { HttpResult, TestHost, TestUser } from './start-test-host.js';
import { eventually } from './eventually.js';

/** Sends a text message over HTTP and returns the stored message. */
export async function postText(host: TestHost, user: TestUser, conversationId: string, text: string, extra = {}) {
  const res = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
    token: user.token,
    body: { clientMsgId: randomUUID(), content: { type: 'text', text }, ...extra },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.message;
}

/** GET /v1/search as `user`, with the parameters as given (strings are sent as they are). */
export function searchAs(
  host: TestHost,
  user: TestUser,
  params: Record<string, string | number | boolean | undefined>,
): Promise<HttpResult<SearchResult & { error?: { code: string; details?: { path: string }[] } }>> {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) query.set(name, String(value));
  return host.http('GET', `/v1/search?${query.toString()}`, { token: user.token });
}

/** The ids of what a search found, asserting it answered 200. */
export async function foundIds(
  host: TestHost,
  user: TestUser,
  params: Record<string, string | number | boolean | undefined>,
) {
  const res = await searchAs(host, user, params);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.results.map((r) => r.message.id);
}

/** A word no other test (nor another run on the same database) uses. */
export function uniqueWord(prefix = 'w'): string {
  return `${prefix}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
}

/**
 * Waits until the wall clock is past a message's createdAt: PostgreSQL orders results by the
 * millisecond they were stored, so messages of different conversations in one millisecond have no
 * order a test could expect.
 */
export async function pastMillisecondOf(message: { createdAt: string }): Promise<void> {
  await eventually(() => Date.now() > Date.parse(message.createdAt), { what: 'the next millisecond', intervalMs: 1 });
}

/** Every page of a search as ids, following nextCursor (at most `maxPages`); `between` runs after each page. */
export async function allPages(
  host: TestHost,
  user: TestUser,
  params: Record<string, string | number>,
  { between = async () => {}, maxPages = 50 }: { between?: () => Promise<void>; maxPages?: number } = {},
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const res = await searchAs(host, user, { ...params, ...(cursor ? { cursor } : {}) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    pages.push(res.body.results.map((r) => r.message.id));
    cursor = res.body.nextCursor;
    await between();
  } while (cursor !== null && pages.length < maxPages);
  return pages;
}

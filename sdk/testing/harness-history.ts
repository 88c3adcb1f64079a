/**
 * Reading a conversation's messages for the app harness: every page of its timeline or of one
 * thread, and waiting for a message an app sends after an event (apps answer events after the
 * sender's call returns, so a test cannot read the answer at once).
 */
import type { HarnessMessage, HarnessThreadOption, HarnessWaitOptions } from './harness-types.js';

/** One page after `after` (a seq), as GET …/messages and GET …/threads/:rootId/messages answer. */
export type FetchPage = (path: string) => Promise<{ messages: HarnessMessage[]; hasMore: boolean }>;

const POLL_MS = 25;

/** The messages after `after`, oldest first, every page of them. */
export async function historyPages(
  fetchPage: FetchPage,
  conversationId: string,
  { threadRootId }: HarnessThreadOption = {},
  after = 0,
): Promise<HarnessMessage[]> {
  const base = threadRootId
    ? `/v1/conversations/${conversationId}/threads/${encodeURIComponent(threadRootId)}/messages`
    : `/v1/conversations/${conversationId}/messages`;
  const all: HarnessMessage[] = [];
  for (;;) {
    const page = await fetchPage(`${base}?after=${after}&limit=100`);
    all.push(...page.messages);
    const last = page.messages.at(-1);
    if (!page.hasMore || !last) return all;
    after = last.seq;
  }
}

/**
 * Reads new messages every POLL_MS until one matches. Each read asks only for what came after the
 * last one seen (an edit of a message already seen is not waited for: it keeps its seq).
 */
export async function waitForMessage(
  fetchPage: FetchPage,
  conversationId: string,
  match: (message: HarnessMessage) => boolean,
  { timeoutMs = 10_000, ...where }: HarnessWaitOptions = {},
): Promise<HarnessMessage> {
  const deadline = Date.now() + timeoutMs;
  const seen: HarnessMessage[] = [];
  for (;;) {
    const fresh = await historyPages(fetchPage, conversationId, where, seen.at(-1)?.seq ?? 0);
    const found = fresh.find(match);
    if (found) return found;
    seen.push(...fresh);
    if (Date.now() >= deadline) {
      const place = where.threadRootId ? `thread ${where.threadRootId}` : `conversation ${conversationId}`;
      const last = seen.slice(-5).map((m) => JSON.stringify(m.content?.text ?? m.content?.type ?? 'deleted'));
      throw new Error(
        `waitForMessage: no message of ${place} matched within ${timeoutMs} ms; ${seen.length} seen, the last: ${last.join(', ') || 'none'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

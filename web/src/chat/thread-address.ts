/**
 * A thread's address: its conversation, with the thread panel open (`#thread=<root id>`), and, for
 * a search result that is a reply in it, that reply's seq to bring into view (`&seq=<N>`).
 */
export const threadHref = (conversationId: string, rootId: string, replySeq?: number) =>
  `/c/${encodeURIComponent(conversationId)}#thread=${encodeURIComponent(rootId)}${
    replySeq === undefined ? '' : `&seq=${replySeq}`
  }`;

const THREAD = /^#thread=([^&]{1,200})(?:&seq=(\d{1,15}))?$/;

/** The thread the address asks the conversation screen to open, or null. */
export function threadInAddress(): string | null {
  const match = THREAD.exec(location.hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    // A malformed escape names no thread: the conversation opens without one.
    return null;
  }
}

/** The reply of that thread the address asks the panel to show and focus (a search result), or null. */
export function replyInAddress(): number | null {
  const match = THREAD.exec(location.hash);
  return match?.[2] === undefined || threadInAddress() === null ? null : Number(match[2]);
}

/**
 * Closing the thread the address opened takes it out of the address (replaced, not a new entry):
 * a reload, or a link copied then, opens the conversation without it.
 */
export function forgetThreadInAddress(): void {
  if (!THREAD.test(location.hash)) return;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}

/** A thread's address: its conversation, with the thread panel open (`#thread=<root id>`). */
export const threadHref = (conversationId: string, rootId: string) =>
  `/c/${encodeURIComponent(conversationId)}#thread=${encodeURIComponent(rootId)}`;

/** The thread the address asks the conversation screen to open, or null. */
export function threadInAddress(): string | null {
  const match = /^#thread=([^&]{1,200})$/.exec(location.hash);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    // A malformed escape names no thread: the conversation opens without one.
    return null;
  }
}

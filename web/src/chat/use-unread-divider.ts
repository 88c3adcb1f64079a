import type { RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ClientState } from '../../../sdk/client/index.js';
import type { ConversationData } from '../session/client-hooks';
import { useLoadBack } from './use-load-back';

/** What was unread when the conversation opened: after `readSeq`, up to `lastSeq`. */
interface Opened {
  readSeq: number;
  lastSeq: number;
}

/**
 * Where "New messages" goes in the log: the id of the first message of others, in the main
 * timeline, after my read position as it was when the conversation opened; null for none. Taken
 * at the first render that is online (the position is then the host's, the cache caught up) and
 * before useMarkRead moves it, and kept while the screen is open: messages arriving meanwhile do
 * not move it or add another, and coming back later (a new screen) takes it again. Older pages
 * are loaded until that message is there, since the divider cannot be placed before.
 */
export function useUnreadDivider(
  conversationId: string,
  { view, messages, hasOlder }: ConversationData,
  state: ClientState,
  me: string,
): string | null {
  const opened = useRef<Opened | null | undefined>(undefined);
  // Taken in the render itself: its view is still the one from before this screen marks it read.
  if (opened.current === undefined && state === 'online' && view) {
    const { myReadSeq, lastSeq } = view.conversation;
    opened.current = view.unreadCount > 0 ? { readSeq: myReadSeq, lastSeq } : null;
  }
  const from = opened.current ?? null;
  useLoadBack(conversationId, from && from.readSeq + 1, messages, hasOlder, state);
  if (!from) return null;
  // Not loaded back to the read position yet: the first unread message is not known.
  const oldest = messages[0]?.seq;
  if (oldest === undefined || (hasOlder && oldest > from.readSeq + 1)) return null;
  const first = messages.find(
    (m) => !m.threadRootId && m.seq > from.readSeq && m.seq <= from.lastSeq && m.senderId !== me && !m.deletedAt,
  );
  return first?.id ?? null;
}

/**
 * Opens the log at the divider, once, when it first shows (rather than at the newest message,
 * which would leave what came first out of view): `showFrom` is the log's scrolling to it.
 */
export function useOpenAtDivider(
  log: RefObject<HTMLElement | null>,
  unreadFrom: string | null,
  showFrom: (item: Element) => void,
): void {
  const shown = useRef(false);
  // After the log's own scrolling to the newest (an earlier layout effect of the same render).
  useLayoutEffect(() => {
    if (shown.current || unreadFrom === null) return;
    const divider = log.current?.querySelector('.unread-divider');
    if (!divider) return;
    shown.current = true;
    showFrom(divider);
  }, [log, unreadFrom, showFrom]);
}

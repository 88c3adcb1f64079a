import type { RefObject } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ClientState } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { MAX_PAGES, useLoadBack } from './use-load-back';

/** The message a search result opened the conversation at (`#seq=N` in the address); null otherwise. */
function seqInAddress(): number | null {
  const match = /^#seq=(\d{1,15})$/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

/** Marks a found message, scrolls it to the middle of its list and gives it the focus. */
function focusFound(item: HTMLElement): void {
  for (const other of document.querySelectorAll('.message-focus')) other.classList.remove('message-focus');
  item.classList.add('message-focus');
  item.tabIndex = -1;
  item.scrollIntoView({ block: 'center' });
  item.focus({ preventScroll: true });
}

/**
 * Brings the message named in the address into the log: loads older pages until it is there (as
 * scrolling back would), then scrolls it to the middle, marks it and gives it the focus. Once; the
 * function it returns does the same for another message (a pin opened from the pinned bar).
 */
export function useFocusMessage(
  conversationId: string,
  messages: readonly Message[],
  hasOlder: boolean,
  state: ClientState,
): (seq: number) => void {
  // An object, so that asking again for the same message brings it back into view.
  const [target, setTarget] = useState(() => ({ seq: seqInAddress() }));
  const seq = target.seq;
  const done = useRef(false);
  useLoadBack(conversationId, seq, messages, hasOlder, state);
  useEffect(() => {
    if (seq === null || done.current) return;
    // The conversation's own log: an open thread's list has message items too.
    const item = document.querySelector<HTMLElement>(`.message-log [data-seq="${seq}"]`);
    if (!item) return;
    done.current = true;
    focusFound(item);
  }, [target, messages]);
  return useCallback((next: number) => {
    done.current = false;
    setTarget({ seq: next });
  }, []);
}

/**
 * The thread panel's part of a search result that is a reply (`#thread=<root>&seq=N`): once the
 * reply is among those the panel lists, it is marked and focused, as the log does for a message.
 * A reply older than those loaded is loaded first, page by page back (as "Show earlier replies"
 * would). Once; the panel asks for it only when opened from the address.
 */
export function useFocusReply(
  list: RefObject<HTMLElement | null>,
  seq: number | null,
  replies: readonly Message[],
  older: { hasOlder: boolean; loading: boolean; loadOlder: () => Promise<boolean> },
): void {
  const done = useRef(false);
  const pages = useRef(0);
  const { hasOlder, loading, loadOlder } = older;
  useEffect(() => {
    if (seq === null || done.current) return;
    const item = list.current?.querySelector<HTMLElement>(`:scope > [data-seq="${seq}"]`);
    if (item) {
      done.current = true;
      focusFound(item);
      return;
    }
    // Only further back than the oldest loaded: a newer seq that is not listed is no reply of this thread.
    const oldest = replies[0]?.seq;
    if (oldest === undefined || seq >= oldest || !hasOlder || loading || pages.current >= MAX_PAGES) return;
    pages.current += 1;
    void loadOlder().then((ok) => {
      // Offline or refused: the panel shows the error, and "Show earlier replies" tries again.
      if (!ok) pages.current = MAX_PAGES;
    });
  }, [list, seq, replies, hasOlder, loading, loadOlder]);
}

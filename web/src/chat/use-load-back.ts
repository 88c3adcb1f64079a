import { useEffect, useRef, useState } from 'preact/hooks';
import type { ClientState } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { useSignedIn } from '../session/session-context';

/** How far back a log may be taken for one message: pages of PAGE messages. */
export const MAX_PAGES = 20;
const PAGE = 100;

/**
 * Loads older pages of the conversation, as scrolling back would, until the message at `seq` is
 * among those cached (or all of them are, or MAX_PAGES were loaded): what a search result, or the
 * first unread message, needs to be shown. Nothing for a null `seq`.
 */
export function useLoadBack(
  conversationId: string,
  seq: number | null,
  messages: readonly Message[],
  hasOlder: boolean,
  state: ClientState,
): void {
  const { client } = useSignedIn();
  const loading = useRef(false);
  const pages = useRef(0);
  // Bumped after each page: the next one is asked for whether or not the page changed the list.
  const [loaded, setLoaded] = useState(0);
  const oldest = messages[0]?.seq;
  useEffect(() => {
    // An empty log is loaded by the screen itself (its first page); older pages are this hook's.
    if (seq === null || oldest === undefined || oldest <= seq || state !== 'online') return;
    if (!hasOlder || loading.current || pages.current >= MAX_PAGES) return;
    loading.current = true;
    pages.current += 1;
    client
      .loadOlder(conversationId, PAGE)
      .catch(() => {
        // Offline or refused: the log shows what it has; coming back online tries again.
      })
      .finally(() => {
        loading.current = false;
        setLoaded((n) => n + 1);
      });
  }, [client, conversationId, seq, oldest, hasOlder, state, loaded]);
}

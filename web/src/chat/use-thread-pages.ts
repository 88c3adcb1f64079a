import { useCallback, useRef, useState } from 'preact/hooks';
import { mergePage } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import type { ThreadPageResult } from '../../../sdk/protocol/threads.js';
import { useLoad } from '../components/use-load';
import { useSignedIn } from '../session/session-context';

/** Replies asked for a page: the most the host gives. */
export const THREAD_PAGE = 100;

export interface ThreadPages {
  /** The newest page (the thread's root, and whether I follow it); undefined until it came. */
  newest: ThreadPageResult | undefined;
  /** Every reply the host gave, the newest page's and the earlier ones', with the live ones merged in. */
  replies: Message[];
  /** Only those the host gave (not the live ones): what the thread's follow state counts as loaded. */
  loaded: Message[];
  /** The host has replies older than the oldest loaded. */
  hasOlder: boolean;
  /** Loads the page before the oldest reply loaded (once at a time); false when that failed. */
  loadOlder: () => Promise<boolean>;
  loading: boolean;
  /** The newest page's or an earlier page's failure, until a load succeeds. */
  error: unknown;
}

/**
 * A thread's replies as the panel shows them: the newest page from the host, the earlier pages it
 * asked for since (`before` the oldest loaded, as history is paged), and the replies arriving live
 * (the conversation's cached messages): one list by seq, each reply once.
 */
export function useThreadPages(conversationId: string, rootId: string, live: readonly Message[]): ThreadPages {
  const { client } = useSignedIn();
  const page = useLoad(
    () => client.http.threadMessages(conversationId, rootId, { limit: THREAD_PAGE }),
    [client, conversationId, rootId],
  );
  const [older, setOlder] = useState<{ messages: Message[]; hasMore: boolean } | null>(null);
  const [loading, setLoading] = useState(false);
  const [olderError, setOlderError] = useState<unknown>(null);
  const busy = useRef(false);

  const loaded: Message[] = [...(older?.messages ?? [])];
  mergePage(loaded, page.data?.messages ?? []);
  const replies = [...loaded];
  mergePage(
    replies,
    live.filter((m) => m.threadRootId === rootId),
  );
  const hasOlder = page.data !== undefined && (older ? older.hasMore : page.data.hasMore);
  const oldest = loaded[0]?.seq;

  const loadOlder = useCallback(async () => {
    if (busy.current || !hasOlder || oldest === undefined) return true;
    busy.current = true;
    setLoading(true);
    try {
      const earlier = await client.http.threadMessages(conversationId, rootId, { before: oldest, limit: THREAD_PAGE });
      setOlder((was) => {
        const messages = [...(was?.messages ?? [])];
        mergePage(messages, earlier.messages);
        return { messages, hasMore: earlier.hasMore };
      });
      setOlderError(null);
      return true;
    } catch (failure) {
      // Offline or refused: the button stays, and pressing it again tries again.
      setOlderError(failure);
      return false;
    } finally {
      busy.current = false;
      setLoading(false);
    }
  }, [client, conversationId, rootId, hasOlder, oldest]);

  return {
    newest: page.data,
    replies,
    loaded,
    hasOlder,
    loadOlder,
    loading,
    error: page.error ?? olderError,
  };
}

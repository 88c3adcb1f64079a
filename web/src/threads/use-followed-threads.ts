import { useEffect, useState } from 'preact/hooks';
import type { FollowedThread } from '../../../sdk/protocol/threads.js';
import { useLoad } from '../components/use-load';
import { useOnOnline } from '../session/client-hooks';
import { useSignedIn } from '../session/session-context';

/** Threads a page asks for: the host's largest page. */
const PAGE = 100;

export interface FollowedThreads {
  threads: FollowedThread[] | undefined;
  error: unknown;
  /** Shows one page more; null when every thread is shown. */
  more: (() => void) | null;
}

/**
 * The threads I follow, as the host counts them, live: the pages shown are asked again when the
 * host says what is new to me in one changed (a reply sent or deleted there, mine included, which
 * makes me follow it; an unfollow on any device), when a reply is edited, when the connection is
 * back, and when my read position moves on any device (the count there is the host's).
 */
export function useFollowedThreads(): FollowedThreads {
  const { client } = useSignedIn();
  const [pages, setPages] = useState(1);
  const loaded = useLoad(async () => {
    const threads = new Map<string, FollowedThread>();
    let cursor: string | null = null;
    for (let page = 0; page < pages; page++) {
      const answer = await client.http.followedThreads({ limit: PAGE, ...(cursor ? { cursor } : {}) });
      // A thread followed meanwhile shifts the pages: it is shown once.
      for (const thread of answer.threads) if (!threads.has(thread.root.id)) threads.set(thread.root.id, thread);
      cursor = answer.nextCursor;
      if (cursor === null) break;
    }
    return { threads: [...threads.values()], hasMore: cursor !== null };
  }, [client, pages]);
  const { reload } = loaded;
  useEffect(() => {
    const offs = [
      // A reply sent or deleted in a thread I follow (or one I come to follow by replying) comes
      // as threadUnread, to followers only; an edit may change a last reply shown here.
      client.on('message', (e) => {
        if (e.message.threadRootId && e.change === 'edited') reload();
      }),
      client.on('threadRead', reload),
      client.on('threadUnread', reload),
    ];
    return () => offs.forEach((off) => off());
  }, [client, reload]);
  useOnOnline(reload);
  return {
    threads: loaded.data?.threads,
    error: loaded.error,
    more: loaded.data?.hasMore ? () => setPages((shown) => shown + 1) : null,
  };
}

import { useEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import type { ThreadPageResult } from '../../../sdk/protocol/threads.js';
import { useAction, type Action } from '../components/use-action';
import { useClientState } from '../session/client-hooks';
import { useAttentive } from './use-attentive';
import { useSignedIn } from '../session/session-context';

/** My following of a thread as the panel shows it, and the button's work. */
export interface ThreadFollow {
  following: boolean;
  toggle: () => void;
  action: Action;
}

interface Position {
  following: boolean;
  /** My read position while I follow it. */
  seq: number | null;
}

/**
 * Whether I follow the thread open in the panel (as its page said, then as I changed it here or
 * replied: the host makes repliers followers), and my read position in it, moved to the newest
 * reply while the panel is open and the window is in use (the host tells my other devices).
 */
export function useThreadFollow(
  conversationId: string,
  rootId: string,
  page: ThreadPageResult | undefined,
  /** The replies the host's pages gave (the newest and any earlier), not those that came live. */
  loaded: readonly Message[],
  replies: readonly Message[],
  me: string,
): ThreadFollow {
  const { client } = useSignedIn();
  const state = useClientState();
  const attentive = useAttentive();
  const action = useAction();
  const [local, setLocal] = useState<Position | null>(null);
  const position: Position = local ?? { following: page?.following ?? false, seq: page?.lastReadSeq ?? null };
  const newest = replies.reduce((seq, m) => Math.max(seq, m.seq), 0);

  // A reply of mine the pages did not have: the host made me a follower, read up to it.
  const fromPages = new Set(loaded.map((m) => m.id));
  const myNewest = replies.reduce(
    (seq, m) => (m.senderId === me && !fromPages.has(m.id) ? Math.max(seq, m.seq) : seq),
    0,
  );
  useEffect(() => {
    if (myNewest === 0) return;
    setLocal((was) => ({ following: true, seq: Math.max(myNewest, was?.seq ?? page?.lastReadSeq ?? 0) }));
  }, [myNewest]);

  // Read on another device: this one moves along.
  useEffect(
    () =>
      client.on('threadRead', (f) => {
        if (f.rootId !== rootId) return;
        setLocal((was) => ({ following: true, seq: Math.max(f.seq, was?.seq ?? 0) }));
      }),
    [client, rootId],
  );

  const inFlight = useRef(false);
  const markedSeq = useRef(0);
  const [marked, setMarked] = useState(0);
  useEffect(() => {
    if (!attentive || state !== 'online' || !position.following || position.seq === null) return;
    if (newest <= position.seq || newest <= markedSeq.current || inFlight.current) return;
    inFlight.current = true;
    client.http.markThreadRead(conversationId, rootId, newest).then(
      (read) => {
        inFlight.current = false;
        markedSeq.current = Math.max(markedSeq.current, read.seq, newest);
        setLocal((was) => ({ following: was?.following ?? true, seq: Math.max(read.seq, was?.seq ?? 0) }));
        setMarked((n) => n + 1);
      },
      () => {
        // Offline, or unfollowed meanwhile: tried again with the next reply or when back online.
        inFlight.current = false;
      },
    );
  }, [client, conversationId, rootId, attentive, state, position.following, position.seq, newest, marked]);

  const toggle = () =>
    void action.run(async () => {
      if (position.following) {
        await client.http.unfollowThread(conversationId, rootId);
        setLocal({ following: false, seq: null });
      } else {
        await client.http.followThread(conversationId, rootId);
        // The host starts a follower at the newest reply.
        setLocal({ following: true, seq: newest });
        markedSeq.current = newest;
      }
    });
  return { following: position.following, toggle, action };
}

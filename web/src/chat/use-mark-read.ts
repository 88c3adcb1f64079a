import { useEffect, useRef, useState } from 'preact/hooks';
import type { ClientState, ConversationView } from '../../../sdk/client/index.js';
import { useSignedIn } from '../session/session-context';
import { useAttentive } from './use-attentive';

/**
 * Moves my read watermark while the conversation is open and the window is in use, whenever
 * something unread is there; the host tells my other devices, which clear their count too.
 */
export function useMarkRead(conversationId: string, view: ConversationView | undefined, state: ClientState): void {
  const { client } = useSignedIn();
  const attentive = useAttentive();
  const inFlight = useRef(false);
  const markedSeq = useRef(0);
  // Bumped after each mark, so changes that arrived while it was in flight get their own.
  const [marked, setMarked] = useState(0);
  const unread = view?.unreadCount ?? 0;
  const lastSeq = view?.conversation.lastSeq ?? 0;
  useEffect(() => {
    if (!attentive || state !== 'online' || unread === 0 || inFlight.current) return;
    // Marked up to the newest already: a count left over is not the watermark's to fix.
    if (markedSeq.current >= lastSeq) return;
    inFlight.current = true;
    client.markRead(conversationId).then(
      (seq) => {
        inFlight.current = false;
        markedSeq.current = seq;
        setMarked((n) => n + 1);
      },
      () => {
        // Offline or refused: still unread; tried again with the next change or when back online.
        inFlight.current = false;
      },
    );
  }, [client, conversationId, attentive, state, unread, lastSeq, marked]);
}

import { useCallback, useEffect, useRef } from 'preact/hooks';
import { useSignedIn } from '../session/session-context';

/** A 'started' at most this often while typing goes on (the others' entries last 6 s). */
const STARTED_EVERY_MS = 3_000;
/** No keystroke for this long: 'stopped'. */
const IDLE_MS = 4_000;

export interface TypingSignal {
  /** The composer's text changed. */
  typed: (text: string) => void;
  /** Sent, left the field, or emptied it: the others stop seeing me type. */
  stop: () => void;
}

/** Tells the other members when I type in a conversation, without a frame per keystroke. */
export function useTypingSignal(conversationId: string): TypingSignal {
  const { client } = useSignedIn();
  const startedAt = useRef(0);
  const idle = useRef<ReturnType<typeof setTimeout>>(undefined);
  const stop = useCallback(() => {
    clearTimeout(idle.current);
    if (startedAt.current === 0) return;
    startedAt.current = 0;
    client.typing(conversationId, 'stopped');
  }, [client, conversationId]);
  const typed = useCallback(
    (text: string) => {
      if (text.trim() === '') return stop();
      const now = Date.now();
      // Offline (or still connecting) the frame would be dropped: the next keystroke tries again.
      if (now - startedAt.current >= STARTED_EVERY_MS && client.state === 'online') {
        startedAt.current = now;
        client.typing(conversationId, 'started');
      }
      clearTimeout(idle.current);
      idle.current = setTimeout(stop, IDLE_MS);
    },
    [client, conversationId, stop],
  );
  useEffect(() => stop, [stop]);
  return { typed, stop };
}

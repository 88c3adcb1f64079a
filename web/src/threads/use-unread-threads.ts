import { useEffect, useRef, useState } from 'preact/hooks';
import type { ThreadPosition } from '../../../sdk/protocol/threads.js';
import { useOnOnline } from '../session/client-hooks';
import { useSignedIn } from '../session/session-context';

/** My position and unread count in each followed thread the host told of, by root id. */
export type UnreadThreads = ReadonlyMap<string, ThreadPosition>;

/**
 * A thread's count as a frame or the list gives it, unless what is known is as of a later
 * position (a count made before I read, arriving after): the host's counts are as of `seq`.
 */
function withPosition(
  known: UnreadThreads,
  { conversationId, rootId, seq, unreadCount }: ThreadPosition,
): UnreadThreads {
  const had = known.get(rootId);
  if (had && had.seq > seq) return known;
  return new Map(known).set(rootId, { conversationId, rootId, seq, unreadCount });
}

/**
 * The list in place of what was known: a thread it leaves out has nothing unread (its position is
 * kept, so an older count arriving late cannot bring it back), then the frames heard while it was
 * asked for, which may be newer than it.
 */
function fromList(known: UnreadThreads, listed: readonly ThreadPosition[], heard: readonly ThreadPosition[]) {
  let next: UnreadThreads = new Map([...known].map(([id, p]) => [id, { ...p, unreadCount: 0 }]));
  for (const position of listed) next = withPosition(next, position);
  for (const position of heard) next = withPosition(next, position);
  return next;
}

/**
 * The followed threads' unread counts, as the host keeps them for all my devices: the list
 * (GET /v1/threads/unread) when the page starts and each time the connection is back, moved by the
 * host's `thread.unread` (a reply sent or deleted, an unfollow) and `thread.read` (read on any device)
 * frames. No request follows a reply: the host tells only the thread's followers, with their count.
 */
export function useUnreadThreads(): UnreadThreads {
  const { client } = useSignedIn();
  const [threads, setThreads] = useState<UnreadThreads>(() => new Map());
  const load = useRef<() => void>(() => {});
  useEffect(() => {
    let live = true;
    // The frames heard while the list is asked for; null while it is not.
    let heard: ThreadPosition[] | null = null;
    let askAgain = false;
    const hear = ({ conversationId, rootId, seq, unreadCount }: ThreadPosition) => {
      const position = { conversationId, rootId, seq, unreadCount };
      heard?.push(position);
      setThreads((known) => withPosition(known, position));
    };
    const ask = () => {
      if (heard !== null) {
        askAgain = true;
        return;
      }
      const mine: ThreadPosition[] = (heard = []);
      client.http.unreadThreads().then(
        (answer) => {
          heard = null;
          if (!live) return;
          setThreads((known) => fromList(known, answer.threads, mine));
          if (askAgain) {
            askAgain = false;
            ask();
          }
        },
        () => {
          // Offline: asked again when the connection is back.
          heard = null;
        },
      );
    };
    load.current = ask;
    const offs = [client.on('threadUnread', hear), client.on('threadRead', hear)];
    ask();
    return () => {
      live = false;
      offs.forEach((off) => off());
    };
  }, [client]);
  useOnOnline(() => load.current());
  return threads;
}

import { useEffect } from 'preact/hooks';
import type { FollowedThread } from '../../../sdk/protocol/threads.js';
import { useLoad } from '../components/use-load';
import { useOnOnline } from '../session/client-hooks';
import { useSignedIn } from '../session/session-context';

/** How many threads the list shows: the host's largest page. */
const LIMIT = 100;

/**
 * The threads I follow, as the host counts them, live: asked again when a reply in any thread
 * arrives or changes (a thread I start following by replying comes with it), when the connection
 * is back, and when my read position moves on any device (the count there is the host's).
 */
export function useFollowedThreads(): { threads: FollowedThread[] | undefined; error: unknown } {
  const { client } = useSignedIn();
  const loaded = useLoad(() => client.http.followedThreads({ limit: LIMIT }), [client]);
  const { reload } = loaded;
  useEffect(() => {
    const offs = [
      client.on('message', (e) => {
        if (e.message.threadRootId) reload();
      }),
      client.on('threadRead', reload),
    ];
    return () => offs.forEach((off) => off());
  }, [client, reload]);
  useOnOnline(reload);
  return { threads: loaded.data?.threads, error: loaded.error };
}

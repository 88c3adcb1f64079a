import { useEffect, useLayoutEffect } from 'preact/hooks';
import type { PresenceStatus } from '../../../sdk/protocol/frames.js';
import { useSignedIn } from '../session/session-context';
import { useClientState, useRerender } from '../session/client-hooks';
import { useBrowserOnline } from '../session/use-browser-online';

/**
 * Follows these users' presence (the client asks only for those it does not follow yet, and
 * follows them again after every reconnect) and re-renders when a presence changes. Returns a
 * reader: undefined while unknown, which it is while this client is offline (what it last heard
 * may no longer be true: someone shown online may have left meanwhile).
 */
export function usePresence(userIds: readonly string[]): (userId: string) => PresenceStatus | undefined {
  const { client } = useSignedIn();
  const state = useClientState();
  const browserOnline = useBrowserOnline();
  const connected = state === 'online' && browserOnline;
  const bump = useRerender();
  useLayoutEffect(() => client.on('presence', bump), [client, bump]);
  const key = [...new Set(userIds)].sort().join(',');
  useEffect(() => {
    if (state !== 'online' || key === '') return;
    client.subscribePresence(key.split(',')).catch(() => {
      // Not followed (the connection dropped meanwhile): this runs again once the client is back online.
    });
  }, [client, key, state]);
  return (userId) => (connected ? client.presenceOf(userId)?.status : undefined);
}

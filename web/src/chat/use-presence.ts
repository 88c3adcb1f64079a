import { useEffect } from 'preact/hooks';
import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { PresenceStatus } from '../../../sdk/protocol/frames.js';
import { useSignedIn } from '../session/session-context';
import { useClientState, useRerender } from './client-hooks';

/** The users each client was asked to follow (it follows them again after every reconnect itself). */
const followed = new WeakMap<SwitchboardClient, Set<string>>();

/**
 * Follows these users' presence (once per user for the session) and re-renders when any followed
 * user's presence changes. Returns a reader: undefined while unknown.
 */
export function usePresence(userIds: readonly string[]): (userId: string) => PresenceStatus | undefined {
  const { client } = useSignedIn();
  const state = useClientState();
  const bump = useRerender();
  useEffect(() => client.on('presence', bump), [client]);
  const key = [...new Set(userIds)].sort().join(',');
  useEffect(() => {
    if (state !== 'online' || key === '') return;
    let set = followed.get(client);
    if (!set) followed.set(client, (set = new Set()));
    const fresh = key.split(',').filter((id) => !set.has(id));
    if (fresh.length === 0) return;
    for (const id of fresh) set.add(id);
    client.subscribePresence(fresh).then(bump, () => {
      // Not followed after all (the connection dropped meanwhile): the next connection asks again.
      for (const id of fresh) set.delete(id);
    });
  }, [client, key, state]);
  return (userId) => client.presenceOf(userId)?.status;
}

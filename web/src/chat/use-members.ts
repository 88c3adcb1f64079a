import { useEffect, useRef, useState } from 'preact/hooks';
import type { Member } from '../../../sdk/protocol/message.js';
import { useSignedIn } from '../session/session-context';
import { directoryOf } from '../people/people';

/**
 * A conversation's members with their roles and read watermarks as the host has them now (receipts
 * arriving later come through the client's view). Fetched again when `refreshKey` changes (someone
 * joined or left) and when the connection comes back after a failure.
 */
export function useMembers(conversationId: string, refreshKey: string): Member[] | null {
  const { client, user: me } = useSignedIn();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [failed, setFailed] = useState(0);
  const asked = useRef(false);
  useEffect(() => {
    let current = true;
    let off: (() => void) | undefined;
    // The first listing may share a request the directory just made; later ones follow a change.
    const fresh = asked.current;
    asked.current = true;
    directoryOf(client, me)
      .members.of(conversationId, fresh)
      .then(
        (list) => current && setMembers(list),
        () => {
          // Not reachable now (offline, or no longer a member): ask again when the client is back online.
          if (!current) return;
          off = client.on('state', (state) => {
            if (state === 'online') setFailed((n) => n + 1);
          });
        },
      );
    return () => {
      current = false;
      off?.();
    };
  }, [client, me, conversationId, refreshKey, failed]);
  return members;
}

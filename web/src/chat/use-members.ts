import { useEffect, useState } from 'preact/hooks';
import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { Member } from '../../../sdk/protocol/message.js';
import { useSignedIn } from '../session/session-context';

/** Members are listed 500 a page; a group past this many pages shows receipts of the first ones only. */
const PAGE = 500;
const MAX_PAGES = 10;

async function allMembers(client: SwitchboardClient, conversationId: string): Promise<Member[]> {
  const members: Member[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const after = members.at(-1)?.userId;
    const answer = await client.http.members(conversationId, after ? { after, limit: PAGE } : { limit: PAGE });
    members.push(...answer.members);
    if (!answer.hasMore) break;
  }
  return members;
}

/**
 * A conversation's members with their roles and read watermarks as the host has them now (receipts
 * arriving later come through the client's view). Fetched again when `refreshKey` changes (someone
 * joined or left) and when the connection comes back after a failure.
 */
export function useMembers(conversationId: string, refreshKey: string): Member[] | null {
  const { client } = useSignedIn();
  const [members, setMembers] = useState<Member[] | null>(null);
  const [failed, setFailed] = useState(0);
  useEffect(() => {
    let current = true;
    let off: (() => void) | undefined;
    allMembers(client, conversationId).then(
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
  }, [client, conversationId, refreshKey, failed]);
  return members;
}

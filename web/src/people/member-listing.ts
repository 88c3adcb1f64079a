import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { Member } from '../../../sdk/protocol/message.js';

/** Members are listed 500 a page; a group past this many pages shows receipts of the first ones only. */
const PAGE = 500;
const MAX_PAGES = 10;

/**
 * Conversations' members as the host has them now. A listing asked for while the same one is under
 * way shares its request: opening a direct conversation asks once for its receipts' readers and for
 * the people directory's other person.
 */
export class MemberListing {
  private readonly inFlight = new Map<string, Promise<Member[]>>();

  constructor(private readonly client: SwitchboardClient) {}

  /** `fresh`: a new request even if one is under way (it may have started before a change). */
  of(conversationId: string, fresh = false): Promise<Member[]> {
    let listing = fresh ? undefined : this.inFlight.get(conversationId);
    if (!listing) {
      const started: Promise<Member[]> = this.fetch(conversationId).finally(() => {
        if (this.inFlight.get(conversationId) === started) this.inFlight.delete(conversationId);
      });
      this.inFlight.set(conversationId, (listing = started));
    }
    return listing;
  }

  private async fetch(conversationId: string): Promise<Member[]> {
    const members: Member[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const after = members.at(-1)?.userId;
      const answer = await this.client.http.members(conversationId, after ? { after, limit: PAGE } : { limit: PAGE });
      members.push(...answer.members);
      if (!answer.hasMore) break;
    }
    return members;
  }
}

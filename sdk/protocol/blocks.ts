/** Blocking people: docs/protocol.md, "Blocking people". */

/** Someone I block, as `GET /v1/me/blocks` lists them and `PUT /v1/me/blocks/:userId` answers. */
export interface BlockedUser {
  userId: string;
  /** ISO time: when I blocked them (blocking again keeps the first time). */
  blockedAt: string;
}

/** What `GET /v1/me/blocks` takes to list a page at a time, as `GET /v1/conversations` does. */
export interface BlocksQuery {
  /** 1–200; absent: all of them, in one answer. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

export interface BlocksResult {
  /** Newest first. */
  blocks: BlockedUser[];
  /** Pass it as `cursor` for the next page; null on the last one (and when no `limit` was given). */
  nextCursor: string | null;
}

/** I blocked or unblocked someone (sent to all my own connections, on every host). */
export interface UserBlockFrame {
  type: 'user.block';
  userId: string;
  /** As in BlockedUser.blockedAt: null once unblocked. */
  blockedAt: string | null;
}

/** Blocking people: docs/protocol.md, "Blocking people". */

/** Someone I block, as `GET /v1/me/blocks` lists them and `PUT /v1/me/blocks/:userId` answers. */
export interface BlockedUser {
  userId: string;
  /** ISO time: when I blocked them (blocking again keeps the first time). */
  blockedAt: string;
}

export interface BlocksResult {
  /** Newest first. */
  blocks: BlockedUser[];
}

/** I blocked or unblocked someone (sent to all my own connections, on every host). */
export interface UserBlockFrame {
  type: 'user.block';
  userId: string;
  /** As in BlockedUser.blockedAt: null once unblocked. */
  blockedAt: string | null;
}

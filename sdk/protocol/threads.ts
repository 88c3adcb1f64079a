/** Threads over HTTP and the frames that keep a follower's read position and unread count in step on their devices. */
import type { HistoryResult } from './frames.js';
import type { Message } from './message.js';

/** A page of a thread (GET /v1/conversations/:id/threads/:rootId/messages): replies in ascending seq. */
export interface ThreadPageResult extends HistoryResult {
  /** The root, with its summary as of this page. */
  root: Message;
  /** Whether I follow the thread. */
  following: boolean;
  /** My read position in it (a seq of the conversation) while I follow it; null otherwise. */
  lastReadSeq: number | null;
}
export interface FollowedThread {
  conversationId: string;
  /** The root, with its summary. */
  root: Message;
  followedAt: string;
  /** My read position: replies with a higher seq are new to me. */
  lastReadSeq: number;
  /** Replies after my position that others sent and that are not deleted. */
  unreadCount: number;
  /** The newest reply that is not deleted, or null when there is none. */
  lastReply: Message | null;
}
/** GET /v1/threads: the threads I follow, most recently followed first. */
export interface FollowedThreadsResult {
  threads: FollowedThread[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}
/** My read position in a thread I follow, and the replies after it that others sent and that are not deleted. */
export interface ThreadPosition {
  conversationId: string;
  rootId: string;
  seq: number;
  unreadCount: number;
}
/** POST /v1/conversations/:id/threads/:rootId/read: my position now (it never moves back). */
export type ThreadReadResult = ThreadPosition;
/** My read position in a thread I follow moved (sent to all my own connections, no one else's). */
export interface ThreadReadFrame extends ThreadPosition {
  type: 'thread.read';
}
/** GET /v1/threads/unread: the threads I follow that have unread replies, most recently followed first. */
export interface UnreadThreadsResult {
  threads: ThreadPosition[];
  /** More threads have unread replies than the answer holds (it holds at most 1000). */
  hasMore: boolean;
}
/**
 * What is new to me in a thread I follow may have changed: a reply was sent there or deleted (mine
 * too: replying moves my position), or I unfollowed it (`unreadCount` 0). Sent to all my own
 * connections; the count is the host's, as of `seq`.
 */
export interface ThreadUnreadFrame extends ThreadPosition {
  type: 'thread.unread';
}

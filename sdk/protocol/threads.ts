/** Threads over HTTP and the frame that keeps a follower's read position in step on their devices. */
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
/** POST /v1/conversations/:id/threads/:rootId/read: my position now (it never moves back). */
export interface ThreadReadResult {
  conversationId: string;
  rootId: string;
  seq: number;
  unreadCount: number;
}
/** My read position in a thread I follow moved (sent to all my own connections, no one else's). */
export interface ThreadReadFrame extends ThreadReadResult {
  type: 'thread.read';
}

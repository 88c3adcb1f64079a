import type { Message, ThreadSummary } from '../protocol/message.js';

/**
 * Keeps a cached root's thread summary in step with the replies the client sees: the host
 * computes summaries only when messages are read, and a new or deleted reply does not change the
 * root's pts. Returns the root with its new summary (replaced in `list`), or null when the root is
 * not cached or nothing changed.
 */
export function noteReply(list: Message[], reply: Message, change: 'created' | 'deleted'): Message | null {
  const rootId = reply.threadRootId;
  if (!rootId) return null;
  const at = list.findIndex((m) => m.id === rootId);
  if (at < 0) return null;
  const root = list[at]!;
  const thread = change === 'created' ? withReply(root.thread, reply) : withoutReply(root.thread, reply, list);
  if (thread === root.thread) return null;
  const updated = { ...root, thread };
  list[at] = updated;
  return updated;
}

function withReply(thread: ThreadSummary | null, reply: Message): ThreadSummary | null {
  // A reply the summary already counts (it was read with the root, or is older than its last reply).
  if (thread && (reply.id === thread.lastReplyId || reply.createdAt < thread.lastReplyAt)) return thread;
  return {
    replyCount: (thread?.replyCount ?? 0) + 1,
    lastReplyId: reply.id,
    lastReplySenderId: reply.senderId,
    lastReplyAt: reply.createdAt,
  };
}

function withoutReply(thread: ThreadSummary | null, reply: Message, list: readonly Message[]): ThreadSummary | null {
  if (!thread) return null;
  if (thread.replyCount <= 1) return null;
  if (thread.lastReplyId !== reply.id) return { ...thread, replyCount: thread.replyCount - 1 };
  // The last reply went: the newest live cached reply takes its place (the host says so on the next read otherwise).
  const previous = newestLiveReplyBefore(list, reply);
  return {
    replyCount: thread.replyCount - 1,
    lastReplyId: previous?.id ?? thread.lastReplyId,
    lastReplySenderId: previous?.senderId ?? thread.lastReplySenderId,
    lastReplyAt: previous?.createdAt ?? thread.lastReplyAt,
  };
}

/** The newest cached reply of the same thread before `reply`, not deleted (a loop, not findLast: apps may compile with lib ES2022). */
function newestLiveReplyBefore(list: readonly Message[], reply: Message): Message | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i]!;
    if (m.threadRootId === reply.threadRootId && !m.deletedAt && m.seq < reply.seq) return m;
  }
  return undefined;
}

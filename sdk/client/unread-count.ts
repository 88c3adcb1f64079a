import type { Message } from '../protocol/message.js';

/**
 * Unread counting: messages of the main timeline after my read watermark, from others, not
 * deleted; and mention counting: those messages (thread replies included) that mention me or
 * everyone, unless their sender is someone I block (`blocked`). The counts start
 * from a snapshot (the HTTP listing's `unreadCount`, true as of its `lastSeq`/`lastPts`) and moves
 * with each live change after it, so a change is counted once whether the snapshot or a frame saw
 * it first (a resume replays what the listing may already have counted).
 */
export interface UnreadState {
  unreadCount: number;
  mentionCount: number;
  /** The highest seq the count has looked at. */
  countedSeq: number;
  /** The highest pts the count reflects. */
  countedPts: number;
}

/** Whether a message mentions `me` by handle or everyone with @all, from someone I do not block. */
export function mentions(m: Message, me: string | null, blocked: ReadonlySet<string>): boolean {
  if (blocked.has(m.senderId)) return false;
  return (m.entities ?? []).some((e) => e.type === 'mention_all' || (e.type === 'mention' && e.userId === me));
}

/**
 * Applies one change (a live or resumed frame) to the counts. `before` is the cached copy of the
 * message, if any: a tombstone carries no entities, and an edit may add or remove a mention.
 */
export function countChange(
  state: UnreadState,
  frame: { pts: number; message: Message },
  ctx: { me: string | null; blocked: ReadonlySet<string>; myReadSeq: number; before: Message | undefined },
): void {
  if (frame.pts <= state.countedPts) return;
  state.countedPts = frame.pts;
  const m = frame.message;
  if (m.senderId === ctx.me || m.seq <= ctx.myReadSeq) {
    state.countedSeq = Math.max(state.countedSeq, m.seq);
    return;
  }
  const inTimeline = !m.threadRootId;
  if (m.seq > state.countedSeq) {
    state.countedSeq = m.seq;
    if (m.deletedAt) return;
    if (inTimeline) state.unreadCount++;
    if (mentions(m, ctx.me, ctx.blocked)) state.mentionCount++;
    return;
  }
  const before = ctx.before;
  if (before?.deletedAt) return;
  // Counted as it stood at the snapshot or when it arrived; deleted or edited since.
  const wasMention = before ? mentions(before, ctx.me, ctx.blocked) : false;
  const isMention = !m.deletedAt && mentions(m, ctx.me, ctx.blocked);
  if (m.deletedAt && inTimeline) state.unreadCount = Math.max(0, state.unreadCount - 1);
  if (wasMention !== isMention) state.mentionCount = Math.max(0, state.mentionCount + (isMention ? 1 : -1));
}

/**
 * The count after my watermark moved: exact when the cached messages cover everything after it,
 * otherwise bounded by the number of messages after it.
 */
export function recountAfterRead(
  state: UnreadState,
  ctx: {
    me: string | null;
    blocked: ReadonlySet<string>;
    myReadSeq: number;
    lastSeq: number;
    cached: readonly Message[] | null;
  },
): void {
  const last = Math.max(ctx.lastSeq, state.countedSeq);
  if (ctx.myReadSeq >= last) {
    state.unreadCount = 0;
    state.mentionCount = 0;
    return;
  }
  const cached = ctx.cached;
  if (cached && cached.length > 0 && cached[0]!.seq <= ctx.myReadSeq + 1 && cached.at(-1)!.seq >= last) {
    const after = cached.filter((m) => m.seq > ctx.myReadSeq && m.senderId !== ctx.me && !m.deletedAt);
    state.unreadCount = after.filter((m) => !m.threadRootId).length;
    state.mentionCount = after.filter((m) => mentions(m, ctx.me, ctx.blocked)).length;
    return;
  }
  state.unreadCount = Math.min(state.unreadCount, last - ctx.myReadSeq);
  state.mentionCount = Math.min(state.mentionCount, last - ctx.myReadSeq);
}

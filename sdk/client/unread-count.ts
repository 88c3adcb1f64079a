import type { Message } from '../protocol/message.js';

/**
 * Unread counting: messages after my read watermark, from others, not deleted. The count starts
 * from a snapshot (the HTTP listing's `unreadCount`, true as of its `lastSeq`/`lastPts`) and moves
 * with each live change after it, so a change is counted once whether the snapshot or a frame saw
 * it first (a resume replays what the listing may already have counted).
 */
export interface UnreadState {
  unreadCount: number;
  /** The highest seq the count has looked at. */
  countedSeq: number;
  /** The highest pts the count reflects. */
  countedPts: number;
}

/** Applies one change (a live or resumed frame) to the count. */
export function countChange(
  state: UnreadState,
  frame: { pts: number; message: Message },
  ctx: { me: string | null; myReadSeq: number; wasDeleted: boolean },
): void {
  if (frame.pts <= state.countedPts) return;
  state.countedPts = frame.pts;
  const m = frame.message;
  if (m.senderId === ctx.me || m.seq <= ctx.myReadSeq) {
    state.countedSeq = Math.max(state.countedSeq, m.seq);
    return;
  }
  if (m.seq > state.countedSeq) {
    state.countedSeq = m.seq;
    if (!m.deletedAt) state.unreadCount++;
  } else if (m.deletedAt && !ctx.wasDeleted) {
    // Counted as it stood at the snapshot or when it arrived, deleted since.
    state.unreadCount = Math.max(0, state.unreadCount - 1);
  }
}

/**
 * The count after my watermark moved: exact when the cached messages cover everything after it,
 * otherwise bounded by the number of messages after it.
 */
export function recountAfterRead(
  state: UnreadState,
  ctx: { me: string | null; myReadSeq: number; lastSeq: number; cached: readonly Message[] | null },
): void {
  const last = Math.max(ctx.lastSeq, state.countedSeq);
  if (ctx.myReadSeq >= last) {
    state.unreadCount = 0;
    return;
  }
  const cached = ctx.cached;
  if (cached && cached.length > 0 && cached[0]!.seq <= ctx.myReadSeq + 1 && cached.at(-1)!.seq >= last) {
    state.unreadCount = cached.filter((m) => m.seq > ctx.myReadSeq && m.senderId !== ctx.me && !m.deletedAt).length;
    return;
  }
  state.unreadCount = Math.min(state.unreadCount, last - ctx.myReadSeq);
}

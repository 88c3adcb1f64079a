/** A refused frame's turn: when it comes, and the frame's `id` (null for a frame without one). */
interface Turn {
  readonly at: number;
  readonly id: string | null;
}

/**
 * Per-connection frame budget: a token bucket, `rate` per second on average and bursts up to
 * `capacity`, that gives refused frames turns.
 *
 * A refused frame is given a turn: the token it needs is set aside now (tokens may go below zero)
 * and `retryAfterMs` says when its turn comes (once that token is earned). Turns are handed out in
 * order, one token interval apart, so a client that is refused N frames at once and resends each
 * one after its own `retryAfterMs` finds each resend served. New frames cannot jump ahead of turns
 * already given.
 *
 * A turn is kept for the frame it was given to, known by its `id`, for OWNER_GRACE_MS after it
 * comes: frames that were pipelined behind a refused one may still be read when its turn comes
 * (the host reads a socket's frames in order, as fast as it can), and one of them taking the turn
 * would leave the refused frame, sent again on time, refused again. After that grace, or for a
 * frame sent without an `id` (which cannot be told from another), a turn goes to the first frame
 * that arrives.
 */
export class FrameTurns {
  private tokens: number;
  private updatedAt: number;
  /** Turns given to refused frames and not yet taken, oldest first, one interval apart or more. */
  private readonly turns: Turn[] = [];
  private readonly intervalMs: number;
  /** A resend may arrive a little before its turn (client timers fire up to a few ms early). */
  private readonly slackMs: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    now = Date.now(),
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
    this.intervalMs = 1000 / rate;
    this.slackMs = Math.min(MAX_SLACK_MS, this.intervalMs / 2);
  }

  /**
   * Takes a token for a frame (`id`: its id, when it has one). `ok: false` means refused:
   * `retryAfterMs` is when this frame's turn comes, and `waiting` how many refused frames (this
   * one included) still wait for theirs.
   */
  take(
    now = Date.now(),
    id: string | null = null,
  ): { ok: true } | { ok: false; retryAfterMs: number; waiting: number } {
    this.refill(now);
    this.dropStaleTurns(now);
    // A turn that has come, its token set aside when it was given: the frame's own, else one open to any frame.
    const turn = this.comeTurnFor(now, id);
    if (turn >= 0) {
      this.turns.splice(turn, 1);
      return { ok: true };
    }
    if (this.turns.length === 0 && this.tokens >= 1 - EPSILON_TOKENS) {
      this.tokens -= 1;
      return { ok: true };
    }
    // Refused: set the token aside and give the frame the next turn, when its token is earned and
    // after the turns already given. A first turn is also more than the slack away: else the
    // frames pipelined right behind this one would arrive "early" for it (sent again on time,
    // this frame would then find its turn gone if it has no id).
    const earnedAt = now + ((1 - this.tokens) / this.rate) * 1000;
    const last = this.turns.at(-1);
    const turnAt = Math.max(earnedAt, last === undefined ? now + 2 * this.slackMs : last.at + this.intervalMs);
    this.tokens -= 1;
    this.turns.push({ at: turnAt, id });
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(turnAt - now)), waiting: this.waiting(now) };
  }

  /** Refused frames whose turn has not come yet. */
  waiting(now = Date.now()): number {
    let come = 0;
    while (come < this.turns.length && this.turns[come]!.at <= now + this.slackMs) come++;
    return this.turns.length - come;
  }

  /**
   * The index of the turn a frame arriving now takes, or -1: the oldest come turn given to a frame
   * of this `id`, else the oldest come turn open to any frame (given to a frame without an id, or
   * come more than OWNER_GRACE_MS ago).
   */
  private comeTurnFor(now: number, id: string | null): number {
    let open = -1;
    for (let i = 0; i < this.turns.length; i++) {
      const turn = this.turns[i]!;
      if (turn.at > now + this.slackMs) break;
      if (id !== null && turn.id === id) return i;
      if (open < 0 && (turn.id === null || turn.at + OWNER_GRACE_MS < now)) open = i;
    }
    return open;
  }

  /**
   * Turns not taken within a second of coming are dropped (their tokens stay spent): a client that
   * never resent its refused frames cannot save their turns up for one big burst later. A resend
   * that late still finds tokens, earned since.
   */
  private dropStaleTurns(now: number): void {
    const staleBefore = now - STALE_AFTER_MS - this.intervalMs;
    let stale = 0;
    while (stale < this.turns.length && this.turns[stale]!.at < staleBefore) stale++;
    if (stale > 0) this.turns.splice(0, stale);
  }

  private refill(now: number): void {
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
      this.updatedAt = now;
    }
  }
}

const MAX_SLACK_MS = 10;
const STALE_AFTER_MS = 1000;
/** How long a come turn waits for its own frame (by id) before any frame may take it. */
const OWNER_GRACE_MS = 250;
/** Float slack: a frame that arrives exactly when a token is earned must find it. */
const EPSILON_TOKENS = 1e-9;

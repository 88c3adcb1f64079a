/**
 * Per-connection frame budget: a token bucket, `rate` per second on average and bursts up to
 * `capacity`, that gives refused frames turns.
 *
 * A refused frame is given a turn: the token it needs is set aside now (tokens may go below zero)
 * and `retryAfterMs` says when its turn comes (once that token is earned). Turns are handed out in
 * order, one token interval apart, so a client that is refused N frames at once and resends each
 * one after its own `retryAfterMs` finds each resend served: a frame that arrives once the oldest
 * turn has come takes that turn. New frames cannot jump ahead of turns already given.
 *
 * No per-connection state beyond a few numbers: the turns form an arithmetic sequence (a turn is
 * only given while earlier ones are waiting or the bucket is empty, and after the last one given),
 * so the oldest one and a count describe them all.
 */
export class FrameTurns {
  private tokens: number;
  private updatedAt: number;
  /** Turns given to refused frames and not yet taken. */
  private turns = 0;
  /** When the oldest of them comes; the others follow one interval apart. */
  private firstTurnAt = 0;
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
   * Takes a token for a frame. `ok: false` means refused: `retryAfterMs` is when this frame's turn
   * comes, and `waiting` how many refused frames (this one included) still wait for theirs.
   */
  take(now = Date.now()): { ok: true } | { ok: false; retryAfterMs: number; waiting: number } {
    this.refill(now);
    this.dropStaleTurns(now);
    // A turn that has come: its token was set aside when it was given.
    if (this.turns > 0 && this.firstTurnAt <= now + this.slackMs) {
      this.turns--;
      this.firstTurnAt += this.intervalMs;
      return { ok: true };
    }
    if (this.turns === 0 && this.tokens >= 1 - EPSILON_TOKENS) {
      this.tokens -= 1;
      return { ok: true };
    }
    // Refused: set the token aside and give the frame the next turn, when its token is earned and
    // after the turns already given. A first turn is also more than the slack away: else the
    // frames pipelined right behind this one would arrive "early" for it and take it, and this
    // frame, sent again on time, would find its turn gone (frames sent later queue behind).
    const earnedAt = now + ((1 - this.tokens) / this.rate) * 1000;
    const turnAt = Math.max(
      earnedAt,
      this.turns === 0 ? now + 2 * this.slackMs : this.firstTurnAt + this.turns * this.intervalMs,
    );
    this.tokens -= 1;
    if (this.turns === 0) this.firstTurnAt = turnAt;
    this.turns++;
    return { ok: false, retryAfterMs: Math.max(1, Math.ceil(turnAt - now)), waiting: this.waiting(now) };
  }

  /** Refused frames whose turn has not come yet. */
  waiting(now = Date.now()): number {
    if (this.turns === 0) return 0;
    const come =
      this.firstTurnAt > now + this.slackMs
        ? 0
        : Math.floor((now + this.slackMs - this.firstTurnAt) / this.intervalMs) + 1;
    return Math.max(0, this.turns - come);
  }

  /**
   * Turns not taken within a second of coming are dropped (their tokens stay spent): a client that
   * never resent its refused frames cannot save their turns up for one big burst later. A resend
   * that late still finds tokens, earned since.
   */
  private dropStaleTurns(now: number): void {
    if (this.turns === 0) return;
    const staleBefore = now - STALE_AFTER_MS - this.intervalMs;
    if (this.firstTurnAt >= staleBefore) return;
    const stale = Math.min(this.turns, Math.floor((staleBefore - this.firstTurnAt) / this.intervalMs) + 1);
    this.turns -= stale;
    this.firstTurnAt += stale * this.intervalMs;
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
/** Float slack: a frame that arrives exactly when a token is earned must find it. */
const EPSILON_TOKENS = 1e-9;

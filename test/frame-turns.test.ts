/**
 * The per-connection frame budget, on a clock the test moves: refused frames are given turns one
 * token interval apart, frames sent after a refusal queue behind it, and each refused frame sent
 * again at its retryAfterMs is served (protocol.md, Rate limit).
 */
import { describe, expect, it } from 'vitest';
import { FrameTurns } from '../host/realtime/frame-turns.js';

type Take = ReturnType<FrameTurns['take']>;
const refusedAfter = (t: Take) => (t.ok ? null : t.retryAfterMs);

describe('frame turns (100 frames a second, bursts of 200)', () => {
  /** A connection that spent its burst at 0 and whose next token is half earned at 5 ms. */
  function spentBurst() {
    const turns = new FrameTurns(100, 200, 0);
    for (let i = 0; i < 200; i++) expect(turns.take(0).ok).toBe(true);
    return turns;
  }

  it('a frame sent right after a refused one queues behind it, however close its token is', () => {
    const turns = spentBurst();
    const first = refusedAfter(turns.take(5));
    expect(first).not.toBeNull();
    // Pipelined frames that arrive with it: each refused, one interval after the one before.
    const waits = [first!, ...Array.from({ length: 5 }, () => refusedAfter(turns.take(5.02)))];
    expect(waits.every((w) => w !== null)).toBe(true);
    for (let i = 1; i < waits.length; i++) expect(waits[i]! - waits[i - 1]!).toBeGreaterThanOrEqual(9);
    for (let i = 1; i < waits.length; i++) expect(waits[i]! - waits[i - 1]!).toBeLessThanOrEqual(11);
  });

  it('each refused frame, sent again at its retryAfterMs, is served, and new frames then wait again', () => {
    const turns = spentBurst();
    const refusedAt = 5;
    const waits = Array.from({ length: 4 }, () => refusedAfter(turns.take(refusedAt))!);
    for (const wait of waits) expect(turns.take(refusedAt + wait).ok).toBe(true);
    // Every turn taken, the bucket is empty: a new frame is refused, not served.
    expect(turns.take(refusedAt + waits.at(-1)!).ok).toBe(false);
  });

  it('a first refusal always leaves the very next frame refused (the turn is more than a resend’s slack away)', () => {
    // Refusals at every fraction of a token: the next frame, sent at once, never takes the turn.
    for (let at = 0.5; at < 10; at += 0.5) {
      const turns = spentBurst();
      const first = turns.take(at);
      expect(first.ok, `tokens at ${at / 10}`).toBe(at >= 10);
      expect(turns.take(at + 0.01).ok, `tokens at ${at / 10}`).toBe(false);
    }
  });

  it("a refused frame's turn waits for that frame (by id): a pipelined frame read when it comes is refused", () => {
    const turns = spentBurst();
    const wait = refusedAfter(turns.take(5, 'a'))!;
    // Read late, within the resend's slack of the turn: another frame (sent before the refusal).
    const pipelined = turns.take(5 + wait - 4, 'b');
    expect(pipelined.ok).toBe(false);
    // The refused frame, sent again on time, is served; then the pipelined one at its own turn.
    expect(turns.take(5 + wait, 'a').ok).toBe(true);
    expect(turns.take(5 + wait - 4 + refusedAfter(pipelined)!, 'b').ok).toBe(true);
  });

  it('a turn its frame does not come back for goes to any frame after a grace; a frame without an id has no claim', () => {
    const turns = spentBurst();
    const wait = refusedAfter(turns.take(5, 'a'))!;
    expect(turns.take(5 + wait + 100, 'c').ok).toBe(false);
    expect(turns.take(5 + wait + 300, 'd').ok).toBe(true);
    // Refused without an id: its turn is the first arriving frame's, as it cannot be told apart.
    const other = spentBurst();
    const anonymous = refusedAfter(other.take(5))!;
    expect(other.take(5 + anonymous, 'e').ok).toBe(true);
  });
});

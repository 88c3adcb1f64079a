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
});

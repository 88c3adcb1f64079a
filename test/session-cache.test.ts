/**
 * The plugin routes' token checks (host/auth/session-cache.ts): an answer is served for at most
 * its age after the read that fetched it, and a check that reads takes along the other tokens in
 * use whose answers are past half that age, so that many users cost about one read at a time.
 * The clock is the test's, so ages are exact; the reads are a table the test changes.
 */
import { describe, expect, it } from 'vitest';
import { SessionCache, type SessionRead } from '../host/auth/session-cache.js';

interface Token {
  user: string;
  revoked?: boolean;
}

function setUp() {
  let now = 1_000_000;
  const tokens = new Map<string, Token>();
  const reads: string[][] = [];
  let failNext: Error | null = null;
  let hold: Promise<void> | null = null;
  const cache = new SessionCache<{ user: string }>({
    maxAgeMs: 2_000,
    maxEntries: 100,
    now: () => now,
    expired: () => false,
    unknown: () => new Error('unknown token'),
    // Reads the table when called; a held read answers that later, as a query on its way would.
    read: async (hashes) => {
      reads.push([...hashes]);
      const out = new Map<string, SessionRead<{ user: string }>>();
      for (const h of hashes) {
        const t = tokens.get(h);
        if (t)
          out.set(
            h,
            t.revoked ? { session: null, refusal: new Error('revoked') } : { session: { user: t.user }, refusal: null },
          );
      }
      const held = hold;
      hold = null;
      if (held) await held;
      if (failNext) {
        const err = failNext;
        failNext = null;
        throw err;
      }
      return out;
    },
  });
  const advance = (ms: number) => void (now += ms);
  return {
    cache,
    tokens,
    reads,
    advance,
    /** Tokens named after their users, each checked once and then as old as an answer may be. */
    keptPastAge: async (...hashes: string[]) => {
      for (const h of hashes) tokens.set(h, { user: h });
      for (const h of hashes) await cache.check(h);
      advance(2_000);
    },
    failNextRead: (err: Error) => void (failNext = err),
    /** Holds the next read's answer until the function returned is called. */
    holdNextRead: () => {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return release;
    },
  };
}

describe('token checks for plugin routes', () => {
  it('serves an answer without a read until it is maxAgeMs old, then reads it again', async () => {
    const { cache, tokens, reads, advance } = setUp();
    tokens.set('a', { user: 'ann' });
    expect(await cache.check('a')).toEqual({ user: 'ann' });
    advance(1_999);
    expect(await cache.check('a')).toEqual({ user: 'ann' });
    expect(reads).toEqual([['a']]);
    advance(1);
    tokens.set('a', { user: 'ann', revoked: true });
    await expect(cache.check('a')).rejects.toThrow('revoked');
    expect(reads).toEqual([['a'], ['a']]);
  });

  it('takes along tokens in use past half their age, and not fresh ones, idle ones or unknown ones', async () => {
    const { cache, tokens, reads, advance } = setUp();
    for (const h of ['idle', 'x', 'y', 'w']) tokens.set(h, { user: h });
    await cache.check('idle');
    advance(10_001);
    await cache.check('x');
    advance(500);
    await cache.check('y');
    advance(700);
    // An unknown token's check reads like any other, and takes along what is due.
    await expect(cache.check('nobody')).rejects.toThrow('unknown token');
    // x is 1,200 ms old (past half its age), y 700 ms (fresh); idle was last used 11,201 ms ago.
    expect(reads).toEqual([['idle'], ['x'], ['y'], ['nobody', 'x']]);
    await cache.check('w');
    expect(reads.at(-1)).toEqual(['w']);
    // x was read along at 11,201: at 13,000 it is 1,799 ms old, served without a read.
    advance(1_799);
    expect(await cache.check('x')).toEqual({ user: 'x' });
    expect(reads.length).toBe(5);
  });

  it('drops a token taken along that was revoked meanwhile: its next use reads and is refused', async () => {
    const { cache, tokens, reads, keptPastAge } = setUp();
    await keptPastAge('a', 'b');
    tokens.set('b', { user: 'b', revoked: true });
    await cache.check('a');
    expect(reads.at(-1)).toEqual(['a', 'b']);
    await expect(cache.check('b')).rejects.toThrow('revoked');
    expect(reads.at(-1)).toEqual(['b']);
  });

  it('does not restore an answer forgotten while a read that took it along was on its way', async () => {
    const { cache, reads, keptPastAge, holdNextRead } = setUp();
    await keptPastAge('a', 'b');
    const release = holdNextRead();
    const checking = cache.check('a');
    await expect.poll(() => reads.length).toBe(3);
    cache.forget((s) => s.user === 'b');
    release();
    await checking;
    expect(reads.at(-1)).toEqual(['a', 'b']);
    await cache.check('b');
    expect(reads.at(-1)).toEqual(['b']);
  });

  it('starts a new read for a check asked after a revocation heard while an older read ran', async () => {
    const { cache, tokens, reads, keptPastAge, holdNextRead } = setUp();
    await keptPastAge('a');
    const release = holdNextRead();
    const before = cache.check('a');
    await expect.poll(() => reads.length).toBe(2);
    // Revoked while the read is on its way: the read may have seen the token as it was.
    tokens.set('a', { user: 'a', revoked: true });
    cache.forget((s) => s.user === 'a');
    const after = cache.check('a');
    expect(reads.length).toBe(3);
    await expect(after).rejects.toThrow('revoked');
    release();
    // The older read answers its own check, asked before the revocation, with what it read; it
    // keeps nothing, so the next check reads again.
    expect(await before).toEqual({ user: 'a' });
    await expect(cache.check('a')).rejects.toThrow('revoked');
    expect(reads.length).toBe(4);
  });

  it('shares one read among checks of the tokens it reads, and a failed read fails each of them once', async () => {
    const { cache, reads, advance, keptPastAge, holdNextRead, failNextRead } = setUp();
    await keptPastAge('a', 'b');
    const release = holdNextRead();
    failNextRead(new Error('database down'));
    const checks = [cache.check('a'), cache.check('a'), cache.check('b')];
    await expect.poll(() => reads.length).toBe(3);
    release();
    for (const check of checks) await expect(check).rejects.toThrow('database down');
    expect(reads.length).toBe(3);
    advance(250);
    expect(await cache.check('b')).toEqual({ user: 'b' });
    expect(reads.at(-1)).toEqual(['b', 'a']);
  });

  it('looks for tokens to take along at most every eighth of maxAgeMs', async () => {
    const { cache, tokens, reads, advance } = setUp();
    for (const h of ['a', 'd', 'e', 'f', 'g']) tokens.set(h, { user: h });
    await cache.check('a');
    advance(990);
    // a is 990 ms old: not due yet.
    await cache.check('d');
    expect(reads.at(-1)).toEqual(['d']);
    advance(10);
    // a is due now, but the last look was 10 ms ago, and the next 249 ms later still too soon.
    await cache.check('e');
    expect(reads.at(-1)).toEqual(['e']);
    advance(239);
    await cache.check('f');
    expect(reads.at(-1)).toEqual(['f']);
    advance(1);
    await cache.check('g');
    expect(reads.at(-1)).toEqual(['g', 'a']);
  });

  it('refuses a hash that names no token, and keeps nothing for it', async () => {
    const { cache, reads } = setUp();
    await expect(cache.check('nobody')).rejects.toThrow('unknown token');
    await expect(cache.check('nobody')).rejects.toThrow('unknown token');
    expect(reads).toEqual([['nobody'], ['nobody']]);
  });
});

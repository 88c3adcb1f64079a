/**
 * The web client's cache of values fetched by key (web/src/session/cached-lookup.ts), without a
 * browser: it uses no DOM. Bounded (the link previews' cache, whose pictures are up to 96 KiB
 * each), it keeps the most recently read or learnt values and fetches one it let go again when
 * read again; its failures are bounded the same. Unbounded by default.
 */
import { describe, expect, it } from 'vitest';
import { CachedLookup } from '../web/src/session/cached-lookup.js';

/** A lookup whose fetches are counted: keys starting with "x" fail. */
function countingLookup(maxEntries?: number) {
  const fetched: string[] = [];
  const lookup = new CachedLookup(
    (key) => {
      fetched.push(key);
      return key.startsWith('x') ? Promise.reject(new Error(`no ${key}`)) : Promise.resolve(key.toUpperCase());
    },
    { maxEntries },
  );
  return { lookup, fetched };
}

describe('CachedLookup', () => {
  it('keeps at most maxEntries values, letting the least recently used go', async () => {
    const { lookup, fetched } = countingLookup(3);
    for (const key of ['a', 'b', 'c']) await lookup.value(key);
    expect(lookup.get('a')).toBe('A'); // Read: now the most recent.
    await lookup.value('d'); // "b" goes, the least recently used.
    expect(['a', 'c', 'd'].map((key) => lookup.get(key))).toEqual(['A', 'C', 'D']);
    expect(fetched).toEqual(['a', 'b', 'c', 'd']);

    expect(lookup.get('b')).toBeUndefined(); // Let go: fetched again...
    expect(await lookup.value('b')).toBe('B'); // ...and "a" goes, read before "c" and "d".
    expect(fetched).toEqual(['a', 'b', 'c', 'd', 'b']);
    expect(['c', 'd', 'b'].map((key) => lookup.get(key))).toEqual(['C', 'D', 'B']);
    expect(lookup.get('a')).toBeUndefined();
    expect(fetched).toEqual(['a', 'b', 'c', 'd', 'b', 'a']);
  });

  it('keeps at most maxEntries failures too', async () => {
    const { lookup } = countingLookup(3);
    for (const key of ['x1', 'x2', 'x3', 'x4']) await expect(lookup.value(key)).rejects.toThrow(`no ${key}`);
    expect(lookup.error('x1')).toBeUndefined();
    expect(['x2', 'x3', 'x4'].map((key) => (lookup.error(key) as Error).message)).toEqual(['no x2', 'no x3', 'no x4']);
  });

  it('keeps every value without maxEntries', async () => {
    const { lookup, fetched } = countingLookup();
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
    for (const key of keys) await lookup.value(key);
    expect(keys.map((key) => lookup.get(key))).toEqual(keys.map((key) => key.toUpperCase()));
    expect(fetched).toEqual(keys);
  });
});

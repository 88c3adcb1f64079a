/**
 * list(prefix) reads a range of the primary key (prefix ≤ key < the prefix's end) where it used
 * to filter every key with substr(key, 1, n) = prefix. The range must answer exactly what the
 * filter did, in byte (code point) order, for any well-formed prefix: empty, a whole key, non-ASCII,
 * astral, ending in U+10FFFF (which has no next code point) or in U+D7FF (whose next one, for
 * text, is U+E000), with and without `after`, and leaving out expired keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prefixEnd } from '../host/plugins/plugin-kv-list.js';
import { rawRows, storageBehindHost, type StorageBehindHost } from './support/storage-behind-host.js';

const QUOTA = 1_048_576;
const KEYS = [
  ...['a', 'ab', 'abc', 'a b', 'a%', 'a_b', 'A', 'B', 'b', ' ', 'a ', 'a  ', '%', '_', 'fi', 'ﬁ'],
  ...['a\u{10FFFF}', 'a\u{10FFFF}\u{10FFFF}', 'a\u{10FFFF}b', '\u{10FFFF}', '\u{10FFFF}\u{10FFFF}', '\u{10FFFF}z'],
  ...['\uD7FF', '\uD7FFx', '\uD7FF\u{10FFFF}', '\uE000', '\uFFFF', '\uFFFFa', '\u{10000}', 'x\u007F', 'x\u0080'],
  ...['x\u07FF', 'x\u0800', 'é', 'e\u0301', 'été', 'étés', 'Ω', 'ω', '😀', '😀:1', '😀😀', '😁', '😀\u{10FFFF}'],
];
/** Keys that expire before the lists: absent from every answer. */
const EXPIRED = ['ab:gone', '😀:gone', '\uD7FF:gone', 'a\u{10FFFF}:gone'];

/** Compares as the databases do: by UTF-8 bytes. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Every prefix of every key, by code point (the whole key included), and some that are none. */
function prefixes(): string[] {
  const all = new Set<string>(['', 'zz', 'a\u{10FFFF}\u{10FFFF}\u{10FFFF}', '\uD7FE', 'é\u{10FFFF}', 'a!', '😀;']);
  for (const key of KEYS) {
    const points = [...key];
    for (let n = 1; n <= points.length; n++) all.add(points.slice(0, n).join(''));
  }
  return [...all];
}

describe('plugin storage: list by prefix as a range of the key', () => {
  let kv: StorageBehindHost;
  beforeAll(async () => {
    kv = await storageBehindHost(['lister', 'neighbour']);
    for (const key of KEYS) await kv.storage.set('lister', key, key, {}, QUOTA);
    for (const key of EXPIRED) await kv.storage.set('lister', key, key, { ttlSeconds: 1 }, QUOTA);
    // Another plugin's keys sort among these and must never show.
    for (const key of ['a', 'ab', '😀', '\u{10FFFF}']) await kv.storage.set('neighbour', key, 0, {}, QUOTA);
    kv.clock.advance(2000);
  });
  afterAll(async () => {
    await kv?.close();
  });

  /** Every page of list(prefix), `limit` at a time, each page after the last key of the one before. */
  async function listAll(prefix: string, limit: number, after?: string): Promise<string[]> {
    const keys: string[] = [];
    for (;;) {
      const page = await kv.storage.list('lister', prefix, after === undefined ? { limit } : { after, limit });
      keys.push(...page.entries.map((e) => e.key));
      if (!page.hasMore) return keys;
      after = keys.at(-1);
    }
  }

  /** What the filter of before answers, on the same database: every live key, by substr. */
  async function substrFilter(prefix: string, after?: string): Promise<string[]> {
    const postgres = kv.db.kind === 'postgres';
    const keyExpr = postgres ? 'key collate "C"' : 'key';
    const rows = await rawRows<{ key: string }>(
      kv.db.knex,
      `select key from plugin_kv where plugin_id = ? and substr(key, 1, ?) = ?
          and (expires_at is null or expires_at > ?) ${after === undefined ? '' : `and ${keyExpr} > ?`}
        order by ${keyExpr}`,
      ['lister', [...prefix].length, prefix, kv.clock.now(), ...(after === undefined ? [] : [after])],
    );
    return rows.map((r) => r.key);
  }

  it('lists, for every prefix, exactly the keys that start with it, in byte order, as the substr filter did', async () => {
    for (const prefix of prefixes()) {
      const expected = KEYS.filter((k) => k.startsWith(prefix)).sort(byteOrder);
      const what = JSON.stringify([...prefix].map((c) => c.codePointAt(0)!.toString(16)));
      expect(await listAll(prefix, 1000), what).toEqual(expected);
      expect(await listAll(prefix, 2), `${what}, by pages of 2`).toEqual(expected);
      expect(await substrFilter(prefix), `${what}, the old filter`).toEqual(expected);
    }
  });

  it('lists after any key, before, inside or past the prefix, as the substr filter did', async () => {
    const afters = ['', ' ', 'a', 'a\u{10FFFF}', 'aa', 'b', '\uD7FF', '\uE000', '\uFFFF', '\u{10000}', '😀', '😀:1'];
    for (const prefix of ['', 'a', 'a\u{10FFFF}', '\uD7FF', '😀', '\u{10FFFF}', 'é']) {
      for (const after of [...afters, '\u{10FFFF}\u{10FFFF}\u{10FFFF}']) {
        const expected = KEYS.filter((k) => k.startsWith(prefix) && byteOrder(k, after) > 0).sort(byteOrder);
        const what = JSON.stringify({ prefix, after });
        expect(await listAll(prefix, 3, after), what).toEqual(expected);
        expect(await substrFilter(prefix, after), `${what}, the old filter`).toEqual(expected);
      }
    }
  });

  it('ends a prefix at the least string above all that start with it', () => {
    expect(prefixEnd('')).toBeNull();
    expect(prefixEnd('\u{10FFFF}\u{10FFFF}')).toBeNull();
    expect(prefixEnd('ab')).toBe('ac');
    expect(prefixEnd('a\u{10FFFF}')).toBe('b');
    expect(prefixEnd('é')).toBe('ê');
    expect(prefixEnd('\uD7FF')).toBe('\uE000');
    expect(prefixEnd('\uFFFF')).toBe('\u{10000}');
    expect(prefixEnd('😀')).toBe('😁');
    expect(prefixEnd('x😀\u{10FFFF}')).toBe('x😁');
  });
});

/**
 * A plugin's storage calls cost the host the same however many keys the plugin holds: no
 * statement of a set, delete, list or usage() sums the plugin's rows or reads them by its id
 * alone. Checked with the databases' own planners on the statements the storage really runs (as
 * knex reports them), not with timings: each access to plugin_kv must be an index search bounded
 * by the key (one key, or a prefix's range in key order) or by the expiry (expired keys, each
 * deleted once). Before, a write summed every row of the plugin and a list filtered every key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bounded, kvAccesses, recordQueries, type RecordedQuery } from './support/kv-query-plans.js';
import { storageBehindHost, type StorageBehindHost } from './support/storage-behind-host.js';

const QUOTA = 1_048_576;

describe('plugin storage: statements that do not grow with the keys held', () => {
  let kv: StorageBehindHost;
  let recorder: ReturnType<typeof recordQueries>;
  beforeAll(async () => {
    kv = await storageBehindHost(['hoard']);
    for (let n = 0; n < 300; n++) {
      const ttl = n % 3 === 0 ? { ttlSeconds: 60 } : {};
      await kv.storage.set('hoard', `item:${n}`, { n, pad: 'x'.repeat(n % 50) }, ttl, QUOTA);
    }
    recorder = recordQueries(kv.db.knex);
  });
  afterAll(async () => {
    await kv?.close();
  });

  /** The statements `call` ran that name plugin_kv, each with how it reads the table. */
  async function accessesOf(call: () => Promise<unknown>): Promise<{ sql: string; accesses: string[] }[]> {
    recorder.take();
    await call();
    const ran: RecordedQuery[] = recorder.take();
    expect(ran.length).toBeGreaterThan(0);
    for (const q of ran) expect(q.sql, 'a sum over the rows').not.toMatch(/\bsum\s*\(/i);
    const touching = ran.filter((q) => /plugin_kv/.test(q.sql));
    return Promise.all(touching.map(async (q) => ({ sql: q.sql, accesses: await kvAccesses(kv.db, q) })));
  }

  function expectBounded(statements: { sql: string; accesses: string[] }[]) {
    for (const { sql, accesses } of statements)
      expect(bounded(accesses), `${sql}\n  reads plugin_kv by: ${accesses.join('; ')}`).toBe(true);
  }

  it('a set of a new key, an overwrite and a set with a TTL read plugin_kv by key and by expiry only', async () => {
    for (const call of [
      () => kv.storage.set('hoard', 'fresh', 'new', {}, QUOTA),
      () => kv.storage.set('hoard', 'item:7', 'over', { ifVersion: 1 }, QUOTA),
      () => kv.storage.set('hoard', 'item:8', 'brief', { ttlSeconds: 5 }, QUOTA),
    ]) {
      const statements = await accessesOf(call);
      // Its purge of expired keys, the read of its key and its write.
      expect(statements.length).toBeGreaterThanOrEqual(3);
      expectBounded(statements);
    }
  });

  it('gets read plugin_kv by key only, alone or several in one statement', async () => {
    const one = await accessesOf(async () => expect(await kv.storage.get('hoard', 'item:10')).not.toBeNull());
    expect(one).toHaveLength(1);
    expectBounded(one);
    // Gets asked while a read runs share the next statement, which reads each of their keys.
    const several = await accessesOf(() =>
      Promise.all(['item:11', 'item:12', 'item:13', 'absent'].map((key) => kv.storage.get('hoard', key))),
    );
    expect(several.length).toBeLessThanOrEqual(2);
    expectBounded(several);
  });

  it('a delete reads plugin_kv by key only', async () => {
    const statements = await accessesOf(async () => expect(await kv.storage.delete('hoard', 'item:9', {})).toBe(true));
    expect(statements.length).toBeGreaterThanOrEqual(2);
    expectBounded(statements);
  });

  it('usage() reads no row of plugin_kv', async () => {
    const statements = await accessesOf(async () => expect(await kv.storage.usage('hoard')).toBeGreaterThan(0));
    expect(statements).toEqual([]);
  });

  it('a list reads its prefix as a range of the primary key, in key order (no sort)', async () => {
    for (const [prefix, opts] of [
      ['item:1', { limit: 5 }],
      ['item:', { after: 'item:2', limit: 5 }],
      ['item:2', { after: 'item:1' }],
      ['', { limit: 3 }],
      ['é😀\u{10FFFF}', {}],
      ['\u{10FFFF}', {}],
    ] as const) {
      const statements = await accessesOf(() => kv.storage.list('hoard', prefix, opts));
      expect(statements).toHaveLength(1);
      expectBounded(statements);
      expect(statements[0]!.accesses.join(), JSON.stringify(prefix)).not.toContain('SORT');
    }
  });
});

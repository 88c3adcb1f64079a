/**
 * Plugin storage: a private key-value store per plugin with compare-and-set versions, expiry,
 * prefix listing with paging, and a quota the operator can narrow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import { enable, probeManifest, prober, roomWith, valueOf, type Probe } from './support/plugin-helpers.js';

const withStorage = (id: string, storage: object = {}, command = 'probe') =>
  probeManifest(id, { command, permissions: { commands: {}, storage } });

describe('plugin storage', () => {
  let host: TestHost;
  let user: TestUser;
  let store: Probe;
  let twin: Probe;
  let small: Probe;
  let capped: Probe;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            enable(withStorage('store')),
            enable(withStorage('twin', {}, 'twin'), { settings: { command: 'twin' } }),
            // Asks for 1,000 bytes; the operator grants 200.
            enable(withStorage('small', { quotaBytes: 1000 }, 'small'), {
              settings: { command: 'small' },
              grants: { storage: { quotaBytes: 200 } },
            }),
            // Asks for 300 bytes; a larger grant does not raise it.
            enable(withStorage('capped', { quotaBytes: 300 }, 'capped'), {
              settings: { command: 'capped' },
              grants: { storage: { quotaBytes: 5000 } },
            }),
          ],
        },
      },
    });
    user = await host.createUser();
    const room = await roomWith(host, user, ['store', 'twin', 'small', 'capped']);
    store = prober(host, user, room.id);
    twin = prober(host, user, room.id, 'twin');
    small = prober(host, user, room.id, 'small');
    capped = prober(host, user, room.id, 'capped');
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('stores JSON values and returns them with a version that grows by one per write', async () => {
    expect(valueOf(await store('storage.get', 'profile'))).toBeNull();
    expect(valueOf(await store('storage.set', 'profile', { name: 'Ada', tags: ['x'], n: 1.5 }))).toEqual({
      version: 1,
    });
    expect(valueOf(await store('storage.get', 'profile'))).toEqual({
      value: { name: 'Ada', tags: ['x'], n: 1.5 },
      version: 1,
      expiresAt: null,
    });
    expect(valueOf(await store('storage.set', 'profile', 'replaced'))).toEqual({ version: 2 });
    expect(valueOf(await store('storage.get', 'profile'))).toMatchObject({ value: 'replaced', version: 2 });
  });

  it('compare-and-set: ifVersion 0 creates only if absent; ifVersion n writes only over version n', async () => {
    expect(valueOf(await store('storage.set', 'counter', 1, { ifVersion: 0 }))).toEqual({ version: 1 });
    expect(await store('storage.set', 'counter', 100, { ifVersion: 0 })).toMatchObject({
      ok: false,
      code: 'storage_conflict',
    });
    expect(valueOf(await store('storage.set', 'counter', 2, { ifVersion: 1 }))).toEqual({ version: 2 });
    expect(await store('storage.set', 'counter', 100, { ifVersion: 1 })).toMatchObject({
      ok: false,
      code: 'storage_conflict',
    });
    expect(await store('storage.set', 'never-written', 1, { ifVersion: 3 })).toMatchObject({
      ok: false,
      code: 'storage_conflict',
    });
    expect(valueOf(await store('storage.get', 'counter'))).toMatchObject({ value: 2, version: 2 });
    expect(valueOf(await store('storage.get', 'never-written'))).toBeNull();
  });

  it('deletes, also conditionally, and says whether a key was deleted', async () => {
    await store('storage.set', 'doomed', 'x');
    await store('storage.set', 'doomed', 'y');
    expect(await store('storage.delete', 'doomed', { ifVersion: 1 })).toMatchObject({
      ok: false,
      code: 'storage_conflict',
    });
    expect(valueOf(await store('storage.get', 'doomed'))).toMatchObject({ value: 'y' });
    expect(valueOf(await store('storage.delete', 'doomed', { ifVersion: 2 }))).toBe(true);
    expect(valueOf(await store('storage.get', 'doomed'))).toBeNull();
    expect(valueOf(await store('storage.delete', 'doomed'))).toBe(false);
  });

  it('concurrent compare-and-set writes of the same version: exactly one wins', async () => {
    await store('storage.set', 'race', 0);
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map((n) => store('storage.set', 'race', n, { ifVersion: 1 })));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.code)).toEqual(Array(4).fill('storage_conflict'));
    expect(valueOf(await store('storage.get', 'race')).version).toBe(2);
  });

  it('concurrent creates of an absent key with ifVersion 0: exactly one wins', async () => {
    const outcomes = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => store('storage.set', 'first-come', n, { ifVersion: 0 })),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.code)).toEqual(Array(4).fill('storage_conflict'));
    expect(valueOf(await store('storage.get', 'first-come')).version).toBe(1);
  });

  it('forgets a value once its ttlSeconds have passed', async () => {
    await store('storage.set', 'ttl:short', 'fleeting', { ttlSeconds: 1 });
    await store('storage.set', 'ttl:long', 'lasting', { ttlSeconds: 3600 });
    const fresh = valueOf(await store('storage.get', 'ttl:short'));
    expect(fresh.value).toBe('fleeting');
    expect(Date.parse(fresh.expiresAt)).toBeGreaterThan(Date.now() - 5000);
    await eventually(async () => valueOf(await store('storage.get', 'ttl:short')) === null, {
      intervalMs: 200,
      what: 'ttl:short to expire',
    });
    expect(valueOf(await store('storage.list', 'ttl:')).entries.map((e: any) => e.key)).toEqual(['ttl:long']);
    // An expired key counts as absent for compare-and-set.
    expect(valueOf(await store('storage.set', 'ttl:short', 'again', { ifVersion: 0 })).version).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('lists keys by prefix in key order, and pages with after/limit', async () => {
    for (const key of ['item:d', 'item:a', 'item:e', 'other:a', 'item:c', 'item:b', 'items'])
      await store('storage.set', key, key.toUpperCase());
    const first = valueOf(await store('storage.list', 'item:', { limit: 2 }));
    expect(first).toEqual({
      entries: [
        { key: 'item:a', value: 'ITEM:A', version: 1 },
        { key: 'item:b', value: 'ITEM:B', version: 1 },
      ],
      hasMore: true,
    });
    const second = valueOf(await store('storage.list', 'item:', { after: 'item:b', limit: 2 }));
    expect(second.entries.map((e: any) => e.key)).toEqual(['item:c', 'item:d']);
    expect(second.hasMore).toBe(true);
    const last = valueOf(await store('storage.list', 'item:', { after: 'item:d', limit: 2 }));
    expect(last).toEqual({ entries: [{ key: 'item:e', value: 'ITEM:E', version: 1 }], hasMore: false });
    const all = valueOf(await store('storage.list', 'item'));
    expect(all.entries.map((e: any) => e.key)).toEqual(['item:a', 'item:b', 'item:c', 'item:d', 'item:e', 'items']);
    expect(all.hasMore).toBe(false);
  });

  it('lists by any prefix, including characters outside ASCII', async () => {
    for (const key of ['été:1', 'été:2', 'ete:3', '😀:1', '😀:2', '😁:1']) await store('storage.set', key, 0);
    expect(valueOf(await store('storage.list', 'été:')).entries.map((e: any) => e.key)).toEqual(['été:1', 'été:2']);
    expect(valueOf(await store('storage.list', '😀')).entries.map((e: any) => e.key)).toEqual(['😀:1', '😀:2']);
    expect(valueOf(await store('storage.list', '😀:', { after: '😀:1' })).entries.map((e: any) => e.key)).toEqual([
      '😀:2',
    ]);
  });

  it('orders keys by bytes, so upper case comes before lower case', async () => {
    for (const key of ['case:a', 'case:B', 'case:Z', 'case:_']) await store('storage.set', key, 0);
    expect(valueOf(await store('storage.list', 'case:')).entries.map((e: any) => e.key)).toEqual([
      'case:B',
      'case:Z',
      'case:_',
      'case:a',
    ]);
  });

  it('a set without ttlSeconds removes an earlier expiry', async () => {
    await store('storage.set', 'ttl:reset', 'soon gone', { ttlSeconds: 1 });
    await store('storage.set', 'ttl:reset', 'here to stay');
    expect(valueOf(await store('storage.get', 'ttl:reset'))).toMatchObject({ value: 'here to stay', expiresAt: null });
  });

  it('refuses bad keys, values and limits with invalid_request', async () => {
    for (const args of [
      ['storage.set', '', 1],
      ['storage.set', 'k'.repeat(513), 1],
      ['storage.get', ''],
      ['storage.list', 'p', { limit: 0 }],
      ['storage.list', 'p', { limit: 1001 }],
      ['storage.set', 'k', 1, { ttlSeconds: 0 }],
      // Keys are stored as text: two ill-formed keys would become one row ('\uFFFDk').
      ['storage.set', '\uD800k', 1],
      ['storage.get', '\uDC00k'],
      ['storage.delete', 'k\u0000'],
      ['storage.list', '\uD800'],
      ['storage.list', 'p', { after: '\uDC00' }],
      // Compared as a key, in the keys' byte order: a number or null is no key.
      ['storage.list', 'p', { after: 5 }],
      ['storage.list', 'p', { after: null }],
    ] as const) {
      expect(
        await store(...(args as unknown as [string, ...unknown[]])),
        JSON.stringify(args).slice(0, 60),
      ).toMatchObject({ ok: false, code: 'invalid_request' });
    }
  });

  it('keeps plugins apart: the same key in two plugins is two values', async () => {
    await store('storage.set', 'shared', 'from store');
    expect(valueOf(await twin('storage.get', 'shared'))).toBeNull();
    expect(valueOf(await twin('storage.set', 'shared', 'from twin', { ifVersion: 0 }))).toEqual({ version: 1 });
    expect(valueOf(await store('storage.get', 'shared'))).toMatchObject({ value: 'from store' });
    expect(valueOf(await twin('storage.list', '')).entries.map((e: any) => e.key)).toEqual(['shared']);
    expect(valueOf(await twin('storage.delete', 'profile'))).toBe(false);
    expect(valueOf(await store('storage.get', 'profile'))).not.toBeNull();
    expect(valueOf(await twin('storage.delete', 'shared'))).toBe(true);
    expect(valueOf(await store('storage.get', 'shared'))).toMatchObject({ value: 'from store' });
  });

  it("answers concurrent reads (which share statements) each with its own plugin's value of its own key", async () => {
    const keys = ['r-a', 'r-b', 'r-c', 'r-d'];
    for (const key of keys) {
      await store('storage.set', key, `store ${key}`);
      await twin('storage.set', key, `twin ${key}`);
    }
    const reads = keys.flatMap((key) => [
      { probe: store, who: 'store', key },
      { probe: twin, who: 'twin', key },
      { probe: store, who: 'store', key },
      { probe: twin, who: 'twin', key: `${key}-absent` },
    ]);
    const results = await Promise.all(reads.map((r) => r.probe('storage.get', r.key)));
    results.forEach((result, i) => {
      const { who, key } = reads[i]!;
      if (key.endsWith('-absent')) expect(valueOf(result)).toBeNull();
      else expect(valueOf(result)).toMatchObject({ value: `${who} ${key}`, version: 1 });
    });
  });

  it('reports usage against a quota of 1 MiB when the manifest names none', async () => {
    const usage = valueOf(await store('storage.usage'));
    expect(usage.quotaBytes).toBe(1048576);
    expect(usage.bytes).toBeGreaterThan(0);
    expect(valueOf(await twin('storage.usage')).bytes).toBeLessThan(usage.bytes);
  });

  it('takes the smaller of the requested and the granted quota', async () => {
    expect(valueOf(await small('storage.usage'))).toEqual({ bytes: 0, quotaBytes: 200 });
    expect(valueOf(await capped('storage.usage'))).toEqual({ bytes: 0, quotaBytes: 300 });
  });

  it('refuses a write past the quota with storage_quota_exceeded, and keeps what was stored', async () => {
    const chunk = 'x'.repeat(120);
    expect(valueOf(await small('storage.set', 'a', chunk))).toEqual({ version: 1 });
    const used = valueOf(await small('storage.usage')).bytes;
    expect(used).toBeGreaterThanOrEqual(120);
    expect(await small('storage.set', 'b', chunk)).toMatchObject({ ok: false, code: 'storage_quota_exceeded' });
    expect(await small('storage.set', 'a', chunk + chunk)).toMatchObject({ ok: false, code: 'storage_quota_exceeded' });
    expect(valueOf(await small('storage.get', 'b'))).toBeNull();
    expect(valueOf(await small('storage.get', 'a'))).toMatchObject({ value: chunk, version: 1 });
    expect(valueOf(await small('storage.usage')).bytes).toBe(used);
    // Deleting frees the space again.
    expect(valueOf(await small('storage.delete', 'a'))).toBe(true);
    expect(valueOf(await small('storage.usage')).bytes).toBe(0);
    expect(valueOf(await small('storage.set', 'b', chunk))).toEqual({ version: 1 });
  });

  it('holds the quota under concurrent writes', async () => {
    await small('storage.delete', 'b');
    const chunk = 'y'.repeat(120);
    const outcomes = await Promise.all(['c1', 'c2', 'c3', 'c4', 'c5'].map((key) => small('storage.set', key, chunk)));
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.code)).toEqual(Array(4).fill('storage_quota_exceeded'));
    expect(valueOf(await small('storage.usage')).bytes).toBeLessThanOrEqual(200);
  });
});

/**
 * What a plugin's storage quota counts is a running total (plugins.kv_bytes), not a sum over its
 * rows at each write: every change to plugin_kv (set, overwrite, delete, the purge of expired keys
 * at a write and by the sweep, the purge of a plugin's data) must keep it equal to that sum, under
 * concurrency too, on SQLite and PostgreSQL; and the migration computes it for rows stored before.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';
import * as migration from '../host/db/migrations/0029-plugin-kv-usage.js';
import { eventually } from './support/eventually.js';
import { mulberry32 } from './support/seeded-random.js';
import { prober, roomWith, valueOf, type Probe } from './support/plugin-helpers.js';
import { startTestHost } from './support/start-test-host.js';
import { rawRows, storageBehindHost, storageManifest, type StorageBehindHost } from './support/storage-behind-host.js';
import { createTestDatabase, testDatabaseKind, withDirect } from './support/test-database.js';

const QUOTA = 6000;
const KEYS = [...Array.from({ length: 30 }, (_, n) => `k${n}`), 'été', '😀', '\u{10FFFF}'];

describe('plugin storage: the running total of bytes', () => {
  let kv: StorageBehindHost | null = null;
  afterEach(async () => {
    await kv?.close();
    kv = null;
  });

  it('equals the sum of the rows after each burst of writes, deletes, expiries and sweeps', async () => {
    kv = await storageBehindHost(['tally', 'other'], { storageSweepMs: 100 });
    const { storage, clock, totals } = kv;
    // The sweep runs on its timer meanwhile, so it deletes expired keys between and during bursts.
    storage.startSweeping();
    const random = mulberry32(29);
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
    const version = () => (random() < 0.1 ? { ifVersion: Math.floor(random() * 3) } : {});
    const op = (): Promise<unknown> => {
      const roll = random();
      const key = pick(KEYS);
      const value = 'v'.repeat(Math.floor(random() * 400));
      if (roll < 0.35) return storage.set('tally', key, value, version(), QUOTA);
      if (roll < 0.55) return storage.set('tally', key, value, { ttlSeconds: 1 + Math.floor(random() * 3) }, QUOTA);
      if (roll < 0.8) return storage.delete('tally', key, version());
      return storage.set('other', key, value, { ttlSeconds: 2 }, QUOTA);
    };
    let refused = 0;
    for (let burst = 0; burst < 120; burst++) {
      if (random() < 0.3) clock.advance(Math.floor(random() * 1500));
      const outcomes = await Promise.allSettled(Array.from({ length: 1 + Math.floor(random() * 8) }, op));
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled') continue;
        const err = outcome.reason as SwitchboardError;
        expect(err).toBeInstanceOf(SwitchboardError);
        expect(['storage_quota_exceeded', 'storage_conflict']).toContain(err.code);
        refused++;
      }
      for (const plugin of ['tally', 'other']) {
        const { total, summed } = await totals(plugin);
        expect(total, `${plugin} after burst ${burst}`).toBe(summed);
        expect(total).toBeLessThanOrEqual(QUOTA);
      }
    }
    expect(refused).toBeGreaterThan(0);
    // Every key expires; the sweep alone deletes the rest, and each total goes down to what is left.
    clock.advance(3_600_000);
    await eventually(
      async () => (await rawRows(kv!.db.knex, 'select key from plugin_kv where expires_at is not null')).length === 0,
      { what: 'the sweep to delete every expired key' },
    );
    const live = await rawRows<{ plugin_id: string; bytes: number }>(
      kv.db.knex,
      'select plugin_id, bytes from plugin_kv',
    );
    for (const plugin of ['tally', 'other']) {
      const kept = live.filter((r) => r.plugin_id === plugin).reduce((sum, r) => sum + Number(r.bytes), 0);
      expect(await totals(plugin)).toEqual({ total: kept, summed: kept });
      expect(await storage.usage(plugin)).toBe(kept);
    }
  });

  it('counts what a write purges, what it replaces and what it adds, so the quota holds exactly as before', async () => {
    kv = await storageBehindHost(['tight']);
    const { storage, clock, totals } = kv;
    const entry = (key: string, value: string) => Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value));
    const quota = entry('a', 'x'.repeat(50)) * 2;
    await storage.set('tight', 'a', 'x'.repeat(50), { ttlSeconds: 1 }, quota);
    await storage.set('tight', 'b', 'x'.repeat(50), {}, quota);
    // Full: an expired key still counts until a write deletes it, and that write may use its room.
    await expect(storage.set('tight', 'c', 'x', {}, quota)).rejects.toMatchObject({ code: 'storage_quota_exceeded' });
    clock.advance(1000);
    expect(await storage.usage('tight')).toBe(quota);
    await storage.set('tight', 'c', 'x'.repeat(50), {}, quota);
    expect(await totals('tight')).toEqual({ total: quota, summed: quota });
    // An overwrite counts the new value in place of the old; one byte more does not fit.
    await storage.set('tight', 'c', 'y'.repeat(50), {}, quota);
    await expect(storage.set('tight', 'c', 'y'.repeat(51), {}, quota)).rejects.toMatchObject({
      code: 'storage_quota_exceeded',
    });
    expect(await storage.delete('tight', 'b', {})).toBe(true);
    expect(await totals('tight')).toEqual({ total: entry('c', 'y'.repeat(50)), summed: entry('c', 'y'.repeat(50)) });
  });

  it('is recounted by the first sweep after a start, after writers that kept no total (hosts of before)', async () => {
    kv = await storageBehindHost(['drift'], { storageSweepMs: 100 });
    const { db, storage, totals } = kv;
    for (const key of ['a', 'b', 'c']) await storage.set('drift', key, key.repeat(30), {}, QUOTA);
    // What a host of an earlier version does during a rolling upgrade: rows change, the total not.
    await db.knex('plugin_kv').where({ plugin_id: 'drift', key: 'a' }).delete();
    await db.knex('plugin_kv').insert({
      plugin_id: 'drift',
      ...{ key: 'old', value: '"from an old host"', bytes: 20, version: 1, expires_at: null, updated_at: 0 },
    });
    const before = await totals('drift');
    expect(before.total).not.toBe(before.summed);
    storage.startSweeping();
    await eventually(
      async () => {
        const { total, summed } = await totals('drift');
        return total === summed;
      },
      { what: 'the first sweep to recount the total' },
    );
  });

  it('is computed by the migration for the rows stored before it', async () => {
    kv = await storageBehindHost(['early', 'later', 'empty']);
    const { db, storage, totals } = kv;
    await storage.set('early', 'kept', { n: 1 }, {}, QUOTA);
    await migration.down(db.knex);
    const now = Date.now();
    const row = (plugin_id: string, key: string, value: string, expires_at: number | null) => ({
      plugin_id,
      key,
      value,
      bytes: Buffer.byteLength(key) + Buffer.byteLength(value),
      version: 1,
      expires_at,
      updated_at: now,
    });
    await db
      .knex('plugin_kv')
      .insert([
        row('early', 'été', '"x"', null),
        row('early', 'gone', '"expired, not yet deleted: it counts"', now - 1000),
        row('later', '😀', '[1,2,3]', now + 60_000),
      ]);
    await migration.up(db.knex);
    for (const plugin of ['early', 'later', 'empty']) {
      const { total, summed } = await totals(plugin);
      expect(total, plugin).toBe(summed);
    }
    expect((await totals('early')).total).toBeGreaterThan(0);
    expect((await totals('empty')).total).toBe(0);
    if (testDatabaseKind === 'postgres') {
      const [column] = await rawRows<{ collation_name: string }>(
        db.knex,
        `select collation_name from information_schema.columns
          where table_schema = ? and table_name = 'plugin_kv' and column_name = 'key'`,
        [kv.host.config.database.schema],
      );
      expect(column?.collation_name).toBe('C');
    }
  });
});

describe('plugin storage through a host: usage() is the total, and purging the plugin clears it', () => {
  it('answers usage() from the total, which matches the rows after writes, expiry and a restart, and is 0 after a purge', async () => {
    const database = await createTestDatabase();
    let now = Date.now();
    const boot = (storageSweepMs = 100) =>
      startTestHost({
        database,
        clock: { now: () => now },
        config: { plugins: { storageSweepMs, enabled: [storageManifest('keeper', { quotaBytes: 4000 })] } },
      });
    let host = await boot();
    try {
      const user = await host.createUser();
      const room = await roomWith(host, user, ['keeper']);
      let keeper: Probe = prober(host, user, room.id, 'keeper');
      const stored = new Map<string, number>();
      const set = async (key: string, value: unknown, opts: object = {}) => {
        expect((await keeper('storage.set', key, value, opts)).ok).toBe(true);
        stored.set(key, Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value)));
      };
      const usage = async () => valueOf(await keeper('storage.usage')).bytes as number;
      const sum = () => [...stored.values()].reduce((a, b) => a + b, 0);
      await set('a', 'first');
      await set('été', { n: [1, 2, 3] });
      await set('été', { n: [1, 2, 3, 4, 5, 6] });
      await Promise.all(['c1', 'c2', 'c3', 'c4', 'c5'].map((key) => set(key, key.repeat(20))));
      expect(valueOf(await keeper('storage.delete', 'a'))).toBe(true);
      stored.delete('a');
      expect(await usage()).toBe(sum());
      const kept = sum();
      await set('brief:1', 'x'.repeat(100), { ttlSeconds: 1 });
      await set('brief:2', 'y'.repeat(100), { ttlSeconds: 1 });
      expect(await usage()).toBe(sum());
      // Expired: the sweep deletes them, and the total goes down with them.
      now += 2000;
      await eventually(async () => (await usage()) === kept, { what: 'the sweep to delete the expired keys' });
      await host.stopHostOnly();
      const behind = async () =>
        withDirect(database, async (db) => {
          const [row] = await rawRows<{ total: number | string; summed: number | string }>(
            db,
            `select (select kv_bytes from plugins where id = 'keeper') as total,
                    (select coalesce(sum(bytes), 0) from plugin_kv where plugin_id = 'keeper') as summed`,
          );
          return { total: Number(row!.total), summed: Number(row!.summed) };
        });
      expect(await behind()).toEqual({ total: kept, summed: kept });
      // No sweep in this run: its first pass recounts every total, which would hide a purge that left one stale.
      host = await boot(3_600_000);
      keeper = prober(host, user, room.id, 'keeper');
      expect(await usage()).toBe(kept);
      const purged = await host.http('DELETE', '/v1/admin/plugins/keeper?purge=true', { token: 'admin' });
      expect(purged.body).toMatchObject({ purged: true });
      await host.stopHostOnly();
      expect(await behind()).toEqual({ total: 0, summed: 0 });
    } finally {
      await host.stopHostOnly();
      await database.drop();
    }
  });
});

/**
 * Storage limits that hold after keys expire: expired keys are deleted (at the plugin's next write
 * and by the periodic sweep), and until then they still count against the quota, so a plugin that
 * keeps writing keys with a TTL can never hold more than its quota in the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import { openDirect } from './support/payments-helpers.js';
import { enable, probeManifest, prober, roomWith, valueOf, type Probe } from './support/plugin-helpers.js';

const QUOTA = 2000;
/** Writes per round: one and a half quotas' worth. */
const ATTEMPTS = 30;
const VALUE = 'v'.repeat(90);
/** Bytes one `<prefix>:<n>` key with VALUE takes: its key plus its JSON. */
const entryBytes = (key: string) => Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(VALUE));

const withStorage = (id: string, storage: object) =>
  enable(probeManifest(id, { command: id, permissions: { commands: {}, storage } }), { settings: { command: id } });

/** What the plugin's rows take in the database itself, read behind the (stopped) host's back. */
async function storedRows(host: TestHost, pluginId: string): Promise<{ rows: number; bytes: number; expired: number }> {
  const db = openDirect(host.database);
  try {
    const [row] = await db('plugin_kv').where({ plugin_id: pluginId }).count({ rows: '*' }).sum({ bytes: 'bytes' });
    const [old] = await db('plugin_kv')
      .where({ plugin_id: pluginId })
      .andWhere('expires_at', '<=', Date.now())
      .count({ n: '*' });
    return { rows: Number(row!.rows), bytes: Number(row!.bytes ?? 0), expired: Number(old!.n) };
  } finally {
    await db.destroy();
  }
}

/**
 * Tries to write `<prefix>:0` … `<prefix>:<ATTEMPTS - 1>` with a TTL of a second: more than the
 * quota holds, so some are refused unless earlier ones expired (and were deleted) meanwhile.
 * Returns the keys written. Whatever the pace, what the plugin stores never passes the quota.
 */
async function writeExpiring(call: Probe, prefix: string): Promise<string[]> {
  const written: string[] = [];
  for (let n = 0; n < ATTEMPTS; n++) {
    const key = `${prefix}:${n}`;
    const outcome = await call('storage.set', key, VALUE, { ttlSeconds: 1 });
    if (outcome.ok) written.push(key);
    else expect(outcome).toMatchObject({ code: 'storage_quota_exceeded' });
    // The figure the quota counts (every stored row, expired or not) never passes it.
    expect(valueOf(await call('storage.usage')).bytes).toBeLessThanOrEqual(QUOTA);
  }
  return written;
}

async function waitUntilExpired(call: Probe, keys: string[]) {
  await eventually(
    async () =>
      (await Promise.all(keys.map(async (k) => valueOf(await call('storage.get', k)) === null))).every(Boolean),
    { timeoutMs: 15_000, what: `${keys.length} keys to expire` },
  );
}

describe('plugin storage: expired keys are deleted at the next write and always count until then', () => {
  let host: TestHost;
  let user: TestUser;
  let hoarder: Probe;
  beforeAll(async () => {
    // The sweep is set to an hour here, so only the plugin's own writes can delete expired keys.
    host = await startTestHost({
      config: { plugins: { storageSweepMs: 3_600_000, enabled: [withStorage('hoarder', { quotaBytes: QUOTA })] } },
    });
    user = await host.createUser();
    const room = await roomWith(host, user, ['hoarder']);
    hoarder = prober(host, user, room.id, 'hoarder');
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('keeps the rows a plugin stores within its quota, however many TTL keys it writes', async () => {
    let written = 0;
    for (const prefix of ['a', 'b', 'c']) {
      const round = await writeExpiring(hoarder, prefix);
      written += round.length;
      const stored = valueOf(await hoarder('storage.usage')).bytes;
      await waitUntilExpired(hoarder, round);
      // Expired but not deleted yet (no write since): the rows still take their bytes, and count.
      expect(valueOf(await hoarder('storage.usage')).bytes).toBe(stored);
      // The next write deletes them, so it fits, and only it is left.
      expect(valueOf(await hoarder('storage.set', `${prefix}:next`, VALUE, { ttlSeconds: 1 }))).toEqual({ version: 1 });
      expect(valueOf(await hoarder('storage.usage')).bytes).toBe(entryBytes(`${prefix}:next`));
      written += 1;
    }
    await host.stopHostOnly();
    const stored = await storedRows(host, 'hoarder');
    // Over two quotas' worth was accepted; the database holds at most one.
    expect(written * entryBytes('a:0')).toBeGreaterThan(2 * QUOTA);
    expect(stored.bytes).toBeLessThanOrEqual(QUOTA);
    expect(stored.rows).toBeLessThan(written);
  });
});

describe('plugin storage: the periodic sweep deletes expired keys', () => {
  let host: TestHost;
  let user: TestUser;
  let tidy: Probe;
  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { storageSweepMs: 200, enabled: [withStorage('tidy', {})] } } });
    user = await host.createUser();
    const room = await roomWith(host, user, ['tidy']);
    tidy = prober(host, user, room.id, 'tidy');
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('removes the rows of expired keys without any write of the plugin, and keeps the rest', async () => {
    const keep = ['keep:1', 'keep:2'];
    for (const key of keep) expect(valueOf(await tidy('storage.set', key, VALUE))).toEqual({ version: 1 });
    expect(valueOf(await tidy('storage.set', 'keep:long', VALUE, { ttlSeconds: 3600 }))).toEqual({ version: 1 });
    const doomed = Array.from({ length: 40 }, (_, n) => `gone:${n}`);
    for (const key of doomed) expect((await tidy('storage.set', key, VALUE, { ttlSeconds: 1 })).ok).toBe(true);
    const kept = [...keep, 'keep:long'].reduce((sum, k) => sum + entryBytes(k), 0);
    // usage sums every stored row, so it falls to what is kept only once the rows are deleted.
    await eventually(async () => valueOf(await tidy('storage.usage')).bytes === kept, {
      timeoutMs: 15_000,
      what: 'the sweep to delete the expired rows',
    });
    expect(valueOf(await tidy('storage.list', '')).entries.map((e: any) => e.key)).toEqual([
      'keep:1',
      'keep:2',
      'keep:long',
    ]);
    await host.stopHostOnly();
    expect(await storedRows(host, 'tidy')).toEqual({ rows: 3, bytes: kept, expired: 0 });
  });
});

/**
 * SQLite's commits are synced to disk off the event loop (db/sqlite-durable-client.ts): the
 * connection runs `synchronous = NORMAL`, and the host syncs the write-ahead log after every
 * statement that ends a write, before that statement's promise resolves. A write that resolved
 * without a sync could be lost in a power cut after it was acknowledged.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../host/db/open-database.js';
import { METRICS_TOKEN, sample, scrape } from './support/metrics-helpers.js';
import { postText } from './support/search-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { testDatabaseKind } from './support/test-database.js';

describe.skipIf(testDatabaseKind !== 'sqlite')("SQLite: each commit's log synced before it resolves", () => {
  const opened: Database[] = [];
  const hosts: TestHost[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
    for (const host of hosts.splice(0)) await host.stop();
  });

  async function database(): Promise<{ db: Database; syncs: () => number }> {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-log-sync-'));
    const db = await openDatabase({ url: `sqlite:${join(dir, 'host.db')}`, schema: 'public', poolSize: 1 });
    opened.push(db);
    let count = 0;
    db.onLogSynced!(() => count++);
    await db.knex.raw('create table notes (id integer primary key, text text)');
    return { db, syncs: () => count };
  }

  it('syncs after a write outside a transaction, and after a commit, never inside one', async () => {
    const { db, syncs } = await database();
    const before = syncs();
    await db.knex('notes').insert({ text: 'one' });
    expect(syncs()).toBe(before + 1);
    await db.knex.transaction(async (trx) => {
      await trx('notes').insert({ text: 'two' });
      await trx('notes').insert({ text: 'three' });
      expect(syncs()).toBe(before + 1);
    });
    expect(syncs()).toBe(before + 2);
    expect(await db.knex('notes').pluck('text')).toEqual(['one', 'two', 'three']);
  });

  it('syncs nothing for reads, nor for a transaction that only read', async () => {
    const { db, syncs } = await database();
    const before = syncs();
    await db.knex('notes').select();
    await db.knex.transaction(async (trx) => trx('notes').count('* as n'));
    expect(syncs()).toBe(before);
  });

  it("acknowledges a send only after its commit's sync", async () => {
    const host = await startTestHost({ config: { metrics: { token: METRICS_TOKEN } } });
    hosts.push(host);
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const before = sample(await scrape(host), 'switchboard_sqlite_log_syncs_total') ?? 0;
    await postText(host, a, conv.id, 'synced before the answer');
    expect(sample(await scrape(host), 'switchboard_sqlite_log_syncs_total')).toBeGreaterThan(before);
  });
});

/**
 * SQLite's messages are indexed behind the writer, many sends' batches in one transaction
 * (migration 0024, search/sqlite-search-indexer.ts). Every answer must be the same as if each
 * message were indexed at its send: at once after the ack, after an edit or a delete made before
 * the indexer reached the message, and for messages a stopped host never indexed.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SEARCH_WATERMARK } from '../host/db/migrations/0024-sqlite-search-behind-writer.js';
import { openDatabase } from '../host/db/open-database.js';
import { runMigrations } from '../host/db/run-migrations.js';
import { createLogger } from '../host/logging/logger.js';
import { HostMetrics } from '../host/metrics/host-metrics.js';
import { SqliteSearchIndexer } from '../host/search/sqlite-search-indexer.js';
import { sqliteSearchKey } from '../host/db/search-words.js';
import { eventually } from './support/eventually.js';
import { METRICS_TOKEN, sample, scrape } from './support/metrics-helpers.js';
import { op } from './support/messaging-helpers.js';
import { online } from './support/protocol-helpers.js';
import { allPages, foundIds, postText, uniqueWord } from './support/search-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { testDatabaseKind, withDirect } from './support/test-database.js';

const INDEXED = 'switchboard_search_messages_indexed_total';

describe.skipIf(testDatabaseKind !== 'sqlite')('search on SQLite: the index behind the writer', () => {
  const hosts: TestHost[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0).reverse()) await host.stop();
  });

  it('indexes sent messages without a search asking, and finds every one', async () => {
    const host = await startTestHost({ config: { metrics: { token: METRICS_TOKEN } } });
    hosts.push(host);
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const before = sample(await scrape(host), INDEXED) ?? 0;
    const ca = await online(host, a);
    const word = uniqueWord();
    const sent = await Promise.all(Array.from({ length: 40 }, (_, i) => ca.sendText(conv.id, `${word} number ${i}`)));
    await eventually(async () => (sample(await scrape(host), INDEXED) ?? 0) >= before + 40, {
      what: 'the 40 messages indexed behind the writer',
    });
    const found = (await allPages(host, b, { q: word, limit: 15 })).flat();
    expect(found.sort()).toEqual(sent.map((s) => s.message.id).sort());
  });

  it('finds a message as soon as its send is acknowledged', async () => {
    const host = await startTestHost();
    hosts.push(host);
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    for (let i = 0; i < 5; i++) {
      const word = uniqueWord();
      const message = await postText(host, a, conv.id, `just now ${word}`);
      expect(await foundIds(host, b, { q: word })).toEqual([message.id]);
    }
  });

  it('indexes what a stopped host had not reached, as it is now: edited and deleted texts as they stand', async () => {
    const host = await startTestHost();
    hosts.push(host);
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const kept = await postText(host, a, conv.id, `kept ${word}`);
    const edited = await postText(host, a, conv.id, `typo ${word}`);
    const deleted = await postText(host, a, conv.id, `deleted ${word}`);
    await host.stopHostOnly();

    // As if the host had stopped before indexing them, and they were then edited and deleted:
    // above the watermark the triggers leave the index alone (else the indexer's insert of the
    // same rowid would fail).
    const ids = [kept.id, edited.id, deleted.id];
    await withDirect(host.database, async (db) => {
      const rowids = (await db('messages').whereIn('id', ids).pluck('rowid')) as number[];
      await db.raw(`delete from messages_fts where rowid in (${rowids.map(() => '?').join(',')})`, rowids);
      await db(SEARCH_WATERMARK).update({ upto: Math.min(...rowids) - 1 });
      await db('messages')
        .where('id', edited.id)
        .update({ content: `fixed ${word}`, edited_at: Date.now() });
      await db('messages').where('id', deleted.id).update({ content: null, deleted_at: Date.now() });
    });

    const again = await startTestHost({ database: host.database });
    hosts.push(again);
    expect(await foundIds(again, b, { q: word })).toEqual([edited.id, kept.id]);
    expect(await foundIds(again, b, { q: `typo ${word}` })).toEqual([]);
    expect(await foundIds(again, b, { q: `deleted ${word}` })).toEqual([]);
    await again.stopHostOnly();

    await withDirect(host.database, async (db) => {
      await db.raw(`insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)`);
      const key = sqliteSearchKey(conv.id);
      const match = (query: string) => db.raw('select rowid from messages_fts where messages_fts match ?', [query]);
      expect(await match(`"${key}${word}"`)).toHaveLength(2);
      expect(await match(`"${key}typo" OR "${key}deleted"`)).toEqual([]);
      const { upto } = (await db(SEARCH_WATERMARK).first()) as { upto: number };
      expect(upto).toBe(Number((await db('messages').max('rowid as n').first())!.n));
    });
  });

  it('keeps an indexed message in step with its edit and delete in their own transaction', async () => {
    const host = await startTestHost();
    hosts.push(host);
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const ca = await online(host, a);
    const word = uniqueWord();
    const message = (await ca.sendText(conv.id, `before ${word}`)).message;
    // The search catches the index up: the message is indexed, below the watermark, from here on.
    expect(await foundIds(host, b, { q: word })).toEqual([message.id]);
    await op(ca, 'edit', conv.id, message.id, { content: { type: 'text', text: `after ${word}` } });
    expect(await foundIds(host, b, { q: `after ${word}` })).toEqual([message.id]);
    expect(await foundIds(host, b, { q: `before ${word}` })).toEqual([]);
    await op(ca, 'delete', conv.id, message.id);
    expect(await foundIds(host, b, { q: word })).toEqual([]);
  });

  it("indexes a backlog in several transactions, and leaves the writer's commits synced (synchronous = FULL)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-indexer-'));
    const db = await openDatabase({ url: `sqlite:${join(dir, 'host.db')}`, schema: 'public', poolSize: 1 });
    try {
      await runMigrations(db.knex);
      const conversationId = randomUUID();
      const now = Date.now();
      await db
        .knex('conversations')
        .insert({ id: conversationId, kind: 'group', created_by: 'u', created_at: now, last_activity_at: now });
      // More than one transaction's share (2,048), as a host killed under load leaves behind.
      const rows = Array.from({ length: 5_000 }, (_, i) => ({
        id: randomUUID(),
        conversation_id: conversationId,
        seq: i + 1,
        created_pts: i + 1,
        pts: i + 1,
        sender_id: 'u',
        content_type: 'text',
        content: `backlog ${i % 2 === 0 ? 'even' : 'odd'} number${i}`,
        created_at: now,
      }));
      for (let i = 0; i < rows.length; i += 500) await db.knex('messages').insert(rows.slice(i, i + 500));
      // Below the watermark the insert trigger indexes at once: these are above it, not indexed.
      expect(await db.knex.raw('select count(*) as n from messages_fts')).toEqual([{ n: 0 }]);

      const metrics = new HostMetrics({ processMetrics: false });
      const indexer = new SqliteSearchIndexer(db, createLogger({ level: 'silent' }), metrics);
      await indexer.catchUp();
      const key = sqliteSearchKey(conversationId);
      const match = (query: string) =>
        db.knex.raw('select count(*) as n from messages_fts where messages_fts match ?', [query]);
      expect(await match(`"${key}backlog"`)).toEqual([{ n: 5_000 }]);
      expect(await match(`"${key}even"`)).toEqual([{ n: 2_500 }]);
      expect(await match(`"${key}number4999"`)).toEqual([{ n: 1 }]);
      expect(await db.knex(SEARCH_WATERMARK).first('upto')).toEqual({
        upto: (await db.knex('messages').max('rowid as n').first())!.n,
      });
      // The indexer's own commits skip the sync; the writer's after them must not.
      expect(await db.knex.raw('pragma synchronous')).toEqual([{ synchronous: 2 }]);
      await indexer.stop();
    } finally {
      await db.close();
    }
  });
});

/**
 * SQLite's messages are indexed behind the writer, many sends' batches in one transaction
 * (migration 0024, search/sqlite-search-indexer.ts). Every answer must be the same as if each
 * message were indexed at its send: at once after the ack, after an edit or a delete made before
 * the indexer reached the message, and for messages a stopped host never indexed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SEARCH_WATERMARK } from '../host/db/migrations/0024-sqlite-search-behind-writer.js';
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
});

/**
 * PostgreSQL's search index holds each word prefixed with its conversation's key (migration 0018),
 * so a search asks it for exactly the searcher's conversations' words. Since 0021 it indexes
 * segments of 64 messages, not each message (test/search-segments-postgres.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foundIds, pastMillisecondOf, postText, uniqueWord } from './support/search-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { testDatabaseKind, withDirect } from './support/test-database.js';
import type { Knex } from 'knex';

describe.skipIf(testDatabaseKind !== 'postgres')('search index on PostgreSQL', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const direct = <T>(fn: (db: Knex) => Promise<T>): Promise<T> => withDirect(host.database, fn);

  it('keys the words of each message with its conversation, indexes no message at its send, and finds them', async () => {
    // This schema's indexes first (materialized), and only then their definitions: pg_indexes may
    // read the definition of an index another test file's schema is dropping meanwhile.
    const indexes = await direct(async (db) => {
      const { rows } = await db.raw<{ rows: { tablename: string; indexname: string }[] }>(
        `with mine as materialized (
           select t.relname as tablename, i.relname as indexname, i.oid
           from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
           join pg_namespace n on n.oid = i.relnamespace where n.nspname = ?
         )
         select tablename, indexname from mine
         where pg_get_indexdef(oid) like '% USING gin %' or pg_get_indexdef(oid) like '%switchboard_search%'`,
        [host.database.schema],
      );
      return rows;
    });
    // One index, on the segments (migration 0021): a send writes nothing for search.
    expect(indexes).toEqual([{ tablename: 'search_segments', indexname: 'search_segments_keys_index' }]);

    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const [ab, ac] = await Promise.all([host.direct(a, b), host.direct(a, c)]);
    const word = uniqueWord();
    const first = await postText(host, a, ab.id, `keyed ${word}`);
    await pastMillisecondOf(first);
    const second = await postText(host, c, ac.id, `Kéyed ${word}suffix`);
    // What the index holds for a message: its words behind its conversation's key.
    const keys = await direct(async (db) => {
      const { rows } = await db.raw<{ rows: { key: string; words: string }[] }>(
        `select switchboard_search_key(conversation_id) as key,
            switchboard_search_keys(conversation_id, content)::text as words from messages where id = ?`,
        [first.id],
      );
      return rows[0]!;
    });
    expect(keys.key).toMatch(/^[0-9a-f]{8}$/);
    expect(keys.words).toBe(`'${keys.key}keyed' '${keys.key}${word}'`);

    expect(await foundIds(host, a, { q: `keyed ${word} ` })).toEqual([first.id]);
    // The last word as a prefix, diacritics folded, across both of a's conversations.
    expect(await foundIds(host, a, { q: `KEYED ${word}` })).toEqual([second.id, first.id]);
    expect(await foundIds(host, b, { q: word })).toEqual([first.id]);
    expect(await foundIds(host, c, { q: word })).toEqual([second.id]);
    expect(await foundIds(host, a, { q: word, conversationId: ac.id })).toEqual([second.id]);
  });

  it('stores a message with a word too long to index behind a key, and finds its other words', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    // 2,045 bytes: to_tsvector keeps it (at most 2,047), the key's 8 more would not fit.
    const long = await postText(host, a, conv.id, `${'x'.repeat(2_045)} ${word}`);
    // Over 2,040 bytes: words of 500 characters and more are left out, shorter ones kept.
    const wide = await postText(host, a, conv.id, `${'é'.repeat(1_000)} ${word} ${'y'.repeat(300)}`);
    expect(await foundIds(host, b, { q: word })).toEqual([wide.id, long.id]);
    expect(await foundIds(host, b, { q: 'y'.repeat(250) })).toEqual([wide.id]);
  });
});

/**
 * PostgreSQL keys the search index by conversation (migration 0015, through the btree_gin
 * extension), so a search reads only the searcher's conversations inside the index, and merges
 * new entries into it 128 kB at a time (0017). Where the
 * extension could not be installed, search still works on 0009's index, and the host says at
 * every start that it is slow and where the fix is written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogger } from './support/captured-logger.js';
import { foundIds, postText, uniqueWord } from './support/search-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { openDirect, testDatabaseKind } from './support/test-database.js';

describe.skipIf(testDatabaseKind !== 'postgres')('search index on PostgreSQL', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const indexes = async () => {
    const db = openDirect(host.database);
    try {
      const rows = await db('pg_indexes')
        .where({ schemaname: host.database.schema, tablename: 'messages' })
        .whereLike('indexname', 'messages_search%')
        .pluck('indexname');
      return rows.sort();
    } finally {
      await db.destroy();
    }
  };

  it('keys the words of each message with its conversation, and finds them', async () => {
    expect(await indexes()).toEqual(['messages_search_conversation_index']);
    // 0017: merged 128 kB at a time, so no insert stalls on a 4 MB merge.
    const db = openDirect(host.database);
    try {
      const options = await db('pg_class as c')
        .join('pg_namespace as n', 'n.oid', 'c.relnamespace')
        .where({ 'n.nspname': host.database.schema, 'c.relname': 'messages_search_conversation_index' })
        .first<{ reloptions: string[] | null }>('c.reloptions');
      expect(options?.reloptions).toEqual(['gin_pending_list_limit=128']);
    } finally {
      await db.destroy();
    }
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const found = await postText(host, a, conv.id, `keyed ${word}`);
    expect(await foundIds(host, b, { q: word })).toEqual([found.id]);
  });

  it('without btree_gin, searches on the plain index and says at start that it is slow', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const found = await postText(host, a, conv.id, `plain ${word}`);
    await host.stopHostOnly();
    // What 0015 leaves where the extension cannot be installed: 0009's index.
    const db = openDirect(host.database);
    try {
      await db.raw(`create index messages_search_index on messages
        using gin (switchboard_search_vector(content)) where content_type = 'text'`);
      await db.raw('drop index messages_search_conversation_index');
    } finally {
      await db.destroy();
    }
    const captured = capturedLogger('warn');
    const again = await startTestHost({ database: host.database, logger: captured.logger });
    try {
      expect(captured.lines).toContainEqual(
        expect.objectContaining({
          index: 'messages_search_conversation_index',
          msg: expect.stringMatching(/btree_gin.*docs\/operators\.md "Search index"/),
        }),
      );
      expect(await foundIds(again, b, { q: word })).toEqual([found.id]);
    } finally {
      await again.stopHostOnly();
    }
  });
});

/**
 * The search index itself (migrations 0009, 0014, 0015, 0018, 0019 and later): it covers messages stored before it
 * existed, and it stays in step with every edit and delete, checked behind the host's back (FTS5's
 * own integrity check on SQLite; on PostgreSQL the index the functions define).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as messageSearch from '../host/db/migrations/0009-message-search.js';
import * as searchPrefixIndex from '../host/db/migrations/0014-search-prefix-index.js';
import * as searchByConversation from '../host/db/migrations/0015-search-by-conversation.js';
import * as searchKeys from '../host/db/migrations/0018-search-keys.js';
import * as sqliteSearchKeys from '../host/db/migrations/0019-sqlite-search-keys.js';
import * as searchSegments from '../host/db/migrations/0021-search-segments.js';
import * as sqliteSearchWithoutPositions from '../host/db/migrations/0022-sqlite-search-without-positions.js';
import * as searchSegmentsUnkeyedIndex from '../host/db/migrations/0023-search-segments-unkeyed-index.js';
import * as sqliteSearchBehindWriter from '../host/db/migrations/0024-sqlite-search-behind-writer.js';
import * as searchSegmentPositions from '../host/db/migrations/0026-search-segment-positions.js';
import { sqliteSearchKey } from '../host/db/search-words.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { openDirect, testDatabaseKind, withDirect } from './support/test-database.js';
import { eventually } from './support/eventually.js';
import { online } from './support/protocol-helpers.js';
import { op } from './support/messaging-helpers.js';
import { foundIds, postText, uniqueWord } from './support/search-helpers.js';
import { runScript } from './support/child-host.js';
import { writeConfig } from './support/e2e.js';

describe('search: the index', () => {
  const hosts: TestHost[] = [];
  afterEach(async () => {
    for (const host of hosts.splice(0).reverse()) await host.stop();
  });

  it('indexes the messages stored before the migration', async () => {
    const host = await startTestHost();
    hosts.push(host);
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const old = await postText(host, a, conv.id, `stored before ${word}`);
    await host.stopHostOnly();

    const knex = openDirect(host.database);
    try {
      // The index and what later migrations made of it, undone newest first.
      const undone = [
        searchSegmentPositions,
        sqliteSearchBehindWriter,
        searchSegmentsUnkeyedIndex,
        sqliteSearchWithoutPositions,
        searchSegments,
        sqliteSearchKeys,
        searchKeys,
        searchByConversation,
        searchPrefixIndex,
        messageSearch,
      ];
      for (const migration of undone) await knex.transaction(async (trx) => migration.down(trx));
      await knex('switchboard_migrations')
        .whereIn(
          'name',
          undone.map((m) => m.name),
        )
        .delete();
    } finally {
      await knex.destroy();
    }
    const again = await startTestHost({ database: host.database });
    hosts.push(again);
    expect(await foundIds(again, a, { q: `before ${word}` })).toEqual([old.id]);
    const fresh = await postText(again, b, conv.id, `after ${word}`);
    expect(await foundIds(again, a, { q: word })).toEqual([fresh.id, old.id]);
  });

  it('keeps the index in step with edits and deletes', async () => {
    const host = await startTestHost();
    hosts.push(host);
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const ca = await online(host, a);
    const word = uniqueWord();
    const kept = (await ca.sendText(conv.id, `kept ${word}`)).message;
    const edited = (await ca.sendText(conv.id, `typo ${word}`)).message;
    const deleted = (await ca.sendText(conv.id, `deleted ${word}`)).message;
    // PostgreSQL: the quiet conversation's messages get their segment (0021) before the edit.
    if (testDatabaseKind === 'postgres')
      await eventually(
        () =>
          withDirect(host.database, async (db) => {
            const row = await db('search_segments').where('conversation_id', conv.id).max('last_seq as n').first();
            return Number(row?.n) === 3;
          }),
        { what: 'the three messages in a segment' },
      );
    await op(ca, 'edit', conv.id, edited.id, { content: { type: 'text', text: `fixed ${word}` } });
    await op(ca, 'react', conv.id, kept.id, { emoji: '👍', op: 'add' });
    await op(ca, 'delete', conv.id, deleted.id);
    expect(await foundIds(host, a, { q: word })).toEqual([edited.id, kept.id]);
    await host.stopHostOnly();

    // What the index itself holds, not what the query lets through.
    const knex = openDirect(host.database);
    try {
      if (testDatabaseKind === 'sqlite') {
        await knex.raw(`insert into messages_fts(messages_fts, rank) values ('integrity-check', 1)`);
        // Words behind the conversation's key (0019).
        const key = sqliteSearchKey(conv.id);
        const match = (query: string) => knex.raw('select rowid from messages_fts where messages_fts match ?', [query]);
        expect(await match(`"${key}${word}"`)).toHaveLength(2);
        expect(await match(`"${key}fixed"`)).toHaveLength(1);
        expect(await match(`"${key}typo" OR "${key}deleted" OR "${word}"`)).toEqual([]);
      } else {
        // The conversation's one segment, covering its 3 messages of 64: the edit and the delete
        // gave it the words of its messages as they are now, the deleted and edited-away ones gone,
        // each at the offsets of the messages holding it (0026).
        const { rows } = await knex.raw<{ rows: { key: string; words: string; last_seq: number }[] }>(
          `select switchboard_search_key(conversation_id) as key, keys::text as words, last_seq
             from search_segments where conversation_id = ?`,
          [conv.id],
        );
        expect(rows).toHaveLength(1);
        const { key, words, last_seq } = rows[0]!;
        expect(Number(last_seq)).toBe(3);
        expect(words.split(' ').sort()).toEqual(
          [
            `'${key}${word}':${kept.seq},${edited.seq}`,
            `'${key}fixed':${edited.seq}`,
            `'${key}kept':${kept.seq}`,
          ].sort(),
        );
      }
    } finally {
      await knex.destroy();
    }
  });

  it('is rebuilt from the messages by npm run migrate -- --rebuild-search', async () => {
    const host = await startTestHost();
    hosts.push(host);
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const message = await postText(host, a, conv.id, `rebuilt ${word}`);
    await host.stopHostOnly();
    if (testDatabaseKind === 'sqlite') {
      // An index that lost its entries (PostgreSQL's cannot be emptied from outside).
      const knex = openDirect(host.database);
      await knex.raw(`insert into messages_fts(messages_fts) values ('delete-all')`).finally(() => knex.destroy());
    }
    const config = writeConfig({
      database: { url: host.database.url, schema: host.database.schema },
      auth: { adminToken: `admin-${randomUUID()}` },
      dataDir: mkdtempSync(join(tmpdir(), 'switchboard-data-')),
    });
    const result = await runScript('host/migrate-cli.ts', ['--config', config, '--rebuild-search'], {
      timeoutMs: 60_000,
    });
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('search index rebuilt');
    const again = await startTestHost({ database: host.database });
    hosts.push(again);
    expect(await foundIds(again, b, { q: word })).toEqual([message.id]);
  });
});

import type { Knex } from 'knex';
import { isUtf8, searchKeySql, searchKeysSql } from './search-sql.js';

/**
 * PostgreSQL: the search index holds each word prefixed with its conversation's key
 * (`switchboard_search_keys`, search-sql.ts), so a search names exactly the searcher's
 * conversations' words: `'0a1b2c3dmeeting' | '4e5f6a7bmeeting' | …`. 0015's index kept words and
 * conversations apart (btree_gin), and a search then walked a word's whole list once for each
 * conversation, and a prefix's every word once for each: over a million messages, someone in 50
 * of 1,000 conversations, 'meeting' took 17 ms, a three-letter prefix hundreds. Now 4 and 8 ms.
 * The index is larger (each conversation's words are entries of their own: about 240 bytes a
 * message against 45) and no extension is needed.
 *
 * It is partial (text messages only), merges new entries 128 kB at a time as 0017 set for the
 * index before, and is built from the stored messages: about 35 s a million on two cores, during
 * which sends wait (run `npm run migrate` beforehand to choose when).
 * `switchboard_search_key` is the query's side of the key (search/search-matches.ts).
 */
export const name = '0018-search-keys';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  const utf8 = await isUtf8(knex);
  await knex.raw(`create function switchboard_search_key(text) returns text
    language sql immutable strict parallel safe
    as $$ select ${searchKeySql('$1')} $$`);
  await knex.raw(`create function switchboard_search_keys(text, text) returns tsvector
    language sql immutable strict parallel safe
    as $$ select ${searchKeysSql('$1', '$2', utf8)} $$`);
  await knex.raw(`create index messages_search_keys_index on messages
    using gin (switchboard_search_keys(conversation_id, content)) with (gin_pending_list_limit = 128)
    where content_type = 'text'`);
  // Whichever 0009 or 0015 left (0015 replaced the first where btree_gin could be installed).
  await knex.raw('drop index if exists messages_search_conversation_index');
  await knex.raw('drop index if exists messages_search_index');
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  // 0009's index, as 0017 left it: 0015's down would replace it with this one too.
  await knex.raw(`create index messages_search_index on messages
    using gin (switchboard_search_vector(content)) with (gin_pending_list_limit = 128) where content_type = 'text'`);
  await knex.raw('drop index messages_search_keys_index');
  await knex.raw('drop function switchboard_search_keys(text, text)');
  await knex.raw('drop function switchboard_search_key(text)');
}

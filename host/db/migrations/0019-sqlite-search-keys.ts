import type { Knex } from 'knex';
import { SQLITE_SEARCH_FILL } from './search-sql.js';
import * as messageSearch from './0009-message-search.js';
import * as searchPrefixIndex from './0014-search-prefix-index.js';

/**
 * SQLite: FTS5 indexes each word behind its conversation's key (`0a1b2c3dhello`, from
 * `switchboard_search_keys`, the host's function: db/sqlite-search-function.ts), as 0018 does on
 * PostgreSQL. A search names exactly its conversations' words, `("0a1b2c3dhello" OR …)`, instead
 * of walking a common word's list newest first until enough matches fall in the searcher's
 * conversations. A prefix is looked up inside one conversation's words, so 0014's prefix index
 * (three characters, which would now be a key's) is left out.
 *
 * The table is contentless with deletes by rowid (`contentless_delete`, SQLite 3.43): only writes
 * call the function, so any tool can still read every table, and a message leaves the index by
 * its rowid, never by recomputing what was indexed for it. The triggers keep 0009's names, so
 * every writer keeps the index in its own transaction. The index is filled from the messages.
 */
export const name = '0019-sqlite-search-keys';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

const TRIGGERS = ['messages_search_insert', 'messages_search_update', 'messages_search_delete'];

async function dropIndex(knex: Knex): Promise<void> {
  for (const trigger of TRIGGERS) await knex.raw(`drop trigger if exists ${trigger}`);
  await knex.raw('drop table if exists messages_fts');
  await knex.raw('drop view if exists messages_search_source');
}

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) return;
  await dropIndex(knex);
  await knex.raw(`create virtual table messages_fts using fts5(
    content, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2')`);
  const keyed = (row: string) => `switchboard_search_keys(${row}.conversation_id, ${row}.content)`;
  await knex.raw(`create trigger messages_search_insert after insert on messages
    when new.content_type = 'text' and new.content is not null begin
      insert into messages_fts(rowid, content) values (new.rowid, ${keyed('new')});
    end`);
  // Only when the text changes (an edit or a delete), not on every pts bump of a reaction.
  await knex.raw(`create trigger messages_search_update after update of content, content_type on messages
    when old.content is not new.content or old.content_type is not new.content_type begin
      delete from messages_fts where rowid = old.rowid and old.content_type = 'text' and old.content is not null;
      insert into messages_fts(rowid, content) select new.rowid, ${keyed('new')}
        where new.content_type = 'text' and new.content is not null;
    end`);
  await knex.raw(`create trigger messages_search_delete after delete on messages
    when old.content_type = 'text' and old.content is not null begin
      delete from messages_fts where rowid = old.rowid;
    end`);
  await knex.raw(SQLITE_SEARCH_FILL);
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) return;
  // As 0014 left it, by their own steps: 0009's table, view and triggers, then 0014's prefix index.
  await dropIndex(knex);
  await messageSearch.up(knex);
  await searchPrefixIndex.up(knex);
}

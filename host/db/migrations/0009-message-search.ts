import type { Knex } from 'knex';
import { foldSql, isUtf8, searchVectorSql } from './search-sql.js';

/**
 * Full-text search over messages: FTS5 on SQLite, a GIN index over a tsvector on PostgreSQL.
 * Only `text` messages are indexed: structured bodies are plugins' JSON (ids, amounts, button
 * ids), with no text a person wrote that the host could tell apart. A deleted message has a null
 * content, so it drops out of both indexes in the statement that deletes it.
 *
 * SQLite: `messages_fts` is an external-content FTS5 table (it stores only the index, reading the
 * text back from the `messages_search_source` view), keyed by the messages' rowid and kept by
 * triggers, so every writer (sends, edits, deletes, plugins) updates it in its own transaction.
 * The unicode61 tokenizer folds case and removes diacritics. A later migration that rebuilds the
 * messages table (knex does so for some SQLite alterations) changes rowids and drops the
 * triggers: it must recreate them and run `insert into messages_fts(messages_fts) values('rebuild')`.
 *
 * PostgreSQL: an expression index, not a stored tsvector column: every `select *` of messages
 * (history, resume, acks) would read the stored vector too, about the size of the text again. The
 * vector's SQL is defined once in search-sql.ts (0018's keyed index uses it too). 'simple' (no stemming, no stop words)
 * because conversations mix languages; case is folded by 'simple', and the diacritics of Latin
 * letters by decomposing the text (NFD) and dropping the combining marks that follow a Latin
 * letter, as SQLite's unicode61 does (not unaccent: an extension an operator may not have, whose
 * dictionary would tie every schema to the one that installed it; nor a translate() of every
 * accented letter, ten times slower per insert). A text that is all ASCII skips that step. ASCII
 * punctuation becomes spaces, so `bob@example.com` or a URL is found by its words, as on SQLite.
 */
export const name = '0009-message-search';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) await upPostgres(knex);
  else await upSqlite(knex);
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) {
    await knex.raw('drop index if exists messages_search_index');
    await knex.raw('drop function if exists switchboard_search_vector(text)');
    await knex.raw('drop function if exists switchboard_search_query(text)');
    return;
  }
  for (const trigger of ['messages_search_insert', 'messages_search_update', 'messages_search_delete'])
    await knex.raw(`drop trigger if exists ${trigger}`);
  await knex.raw('drop table if exists messages_fts');
  await knex.raw('drop view if exists messages_search_source');
}

async function upSqlite(knex: Knex): Promise<void> {
  await knex.raw(`create view messages_search_source as
    select rowid as message_rowid, content from messages where content_type = 'text' and content is not null`);
  await knex.raw(`create virtual table messages_fts using fts5(
    content, content = 'messages_search_source', content_rowid = 'message_rowid',
    tokenize = 'unicode61 remove_diacritics 2')`);
  // An external-content index is told what to remove: exactly the text it indexed.
  await knex.raw(`create trigger messages_search_insert after insert on messages
    when new.content_type = 'text' and new.content is not null begin
      insert into messages_fts(rowid, content) values (new.rowid, new.content);
    end`);
  // Only when the text changes (an edit or a delete), not on every pts bump of a reaction.
  await knex.raw(`create trigger messages_search_update after update of content, content_type on messages
    when old.content is not new.content or old.content_type is not new.content_type begin
      insert into messages_fts(messages_fts, rowid, content) select 'delete', old.rowid, old.content
        where old.content_type = 'text' and old.content is not null;
      insert into messages_fts(rowid, content) select new.rowid, new.content
        where new.content_type = 'text' and new.content is not null;
    end`);
  await knex.raw(`create trigger messages_search_delete after delete on messages
    when old.content_type = 'text' and old.content is not null begin
      insert into messages_fts(messages_fts, rowid, content) values ('delete', old.rowid, old.content);
    end`);
  // The messages stored before this migration.
  await knex.raw(`insert into messages_fts(messages_fts) values ('rebuild')`);
}

async function upPostgres(knex: Knex): Promise<void> {
  const utf8 = await isUtf8(knex);
  await knex.raw(`create function switchboard_search_vector(text) returns tsvector
    language sql immutable strict parallel safe
    as $$ select ${searchVectorSql('$1', utf8)} $$`);
  // A query's own quotes and operators are ASCII punctuation: only its letters are folded.
  await knex.raw(`create function switchboard_search_query(text) returns tsquery
    language sql immutable strict parallel safe
    as $$ select to_tsquery('simple'::regconfig, ${foldSql('$1', utf8)}) $$`);
  await knex.raw(`create index messages_search_index on messages
    using gin (switchboard_search_vector(content)) where content_type = 'text'`);
}

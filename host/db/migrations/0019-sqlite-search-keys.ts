import type { Knex } from 'knex';

/**
 * SQLite: FTS5 indexes each word behind its conversation's key (`0a1b2c3dhello`, from
 * `switchboard_search_keys`, the host's function: db/sqlite-search-function.ts), as 0018 does on
 * PostgreSQL. A search names exactly its conversations' words, `("0a1b2c3dhello" OR …)`, instead
 * of walking a common word's list newest first until enough matches fall in the searcher's
 * conversations. A prefix is looked up inside one conversation's words, so 0014's prefix index
 * (three characters, which would now be a key's) is left out.
 *
 * The table, its view and its triggers keep 0009's names and shape (an external-content table
 * over `messages_search_source`, kept in every writer's transaction); the view and the triggers
 * call the function. The index is rebuilt from the messages.
 */
export const name = '0019-sqlite-search-keys';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

const TRIGGERS = ['messages_search_insert', 'messages_search_update', 'messages_search_delete'];

/** 0009's view, table and triggers, with `text(alias)` the indexed text of a `messages` row. */
async function create(knex: Knex, text: (row: string) => string, options: string): Promise<void> {
  for (const trigger of TRIGGERS) await knex.raw(`drop trigger if exists ${trigger}`);
  await knex.raw('drop table if exists messages_fts');
  await knex.raw('drop view if exists messages_search_source');
  await knex.raw(`create view messages_search_source as
    select rowid as message_rowid, ${text('messages')} as content from messages
    where content_type = 'text' and content is not null`);
  await knex.raw(`create virtual table messages_fts using fts5(
    content, content = 'messages_search_source', content_rowid = 'message_rowid',
    tokenize = 'unicode61 remove_diacritics 2'${options})`);
  // An external-content index is told what to remove: exactly what it indexed.
  await knex.raw(`create trigger messages_search_insert after insert on messages
    when new.content_type = 'text' and new.content is not null begin
      insert into messages_fts(rowid, content) values (new.rowid, ${text('new')});
    end`);
  // Only when the text changes (an edit or a delete), not on every pts bump of a reaction.
  await knex.raw(`create trigger messages_search_update after update of content, content_type on messages
    when old.content is not new.content or old.content_type is not new.content_type begin
      insert into messages_fts(messages_fts, rowid, content) select 'delete', old.rowid, ${text('old')}
        where old.content_type = 'text' and old.content is not null;
      insert into messages_fts(rowid, content) select new.rowid, ${text('new')}
        where new.content_type = 'text' and new.content is not null;
    end`);
  await knex.raw(`create trigger messages_search_delete after delete on messages
    when old.content_type = 'text' and old.content is not null begin
      insert into messages_fts(messages_fts, rowid, content) values ('delete', old.rowid, ${text('old')});
    end`);
  await knex.raw(`insert into messages_fts(messages_fts) values ('rebuild')`);
}

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) return;
  await create(knex, (row) => `switchboard_search_keys(${row}.conversation_id, ${row}.content)`, '');
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) return;
  // As 0014 left it: the words themselves, with a prefix index of three characters.
  await create(knex, (row) => `${row}.content`, `, prefix = '3'`);
}

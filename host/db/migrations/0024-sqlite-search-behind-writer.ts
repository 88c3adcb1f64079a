import type { Knex } from 'knex';
import { SQLITE_SEARCH_FILL } from './search-sql.js';

/**
 * SQLite: messages are indexed behind the writer, in large transactions of their own
 * (search/sqlite-search-indexer.ts), no longer by a trigger in each send's transaction. FTS5
 * writes what a transaction indexed at its commit, about 120 µs a commit whatever it holds: a
 * send's batch of 32 messages cost 10.4 µs a message with the index against 2.0 without, where
 * 2,048 at a time cost about 4 (README, issue 16).
 *
 * `search_index_watermark.upto` is the rowid up to which the index holds every message. The
 * triggers act only at or below it: an edit or delete of an indexed message still changes the
 * index in its own transaction, while one above it changes nothing, since the indexer reads the
 * message as it is when it gets there. A new message at or below it (a rowid reused after the
 * newest row was deleted) is indexed by the insert trigger, so none is ever skipped. A search
 * first brings the index up to the newest message, so what was acknowledged is found at once.
 */
export const name = '0024-sqlite-search-behind-writer';

/** The one-row table of the indexer's progress. */
export const SEARCH_WATERMARK = 'search_index_watermark';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

const TRIGGERS = ['messages_search_insert', 'messages_search_update', 'messages_search_delete'];

const keyed = (row: string) => `switchboard_search_keys(${row}.conversation_id, ${row}.content)`;

/** 0019's triggers, acting only where `covered(row)` holds. */
async function createTriggers(knex: Knex, covered: (row: string) => string): Promise<void> {
  await knex.raw(`create trigger messages_search_insert after insert on messages
    when new.content_type = 'text' and new.content is not null and ${covered('new')} begin
      insert into messages_fts(rowid, content) values (new.rowid, ${keyed('new')});
    end`);
  // Only when the text changes (an edit or a delete), not on every pts bump of a reaction.
  await knex.raw(`create trigger messages_search_update after update of content, content_type on messages
    when (old.content is not new.content or old.content_type is not new.content_type) and ${covered('old')} begin
      delete from messages_fts where rowid = old.rowid and old.content_type = 'text' and old.content is not null;
      insert into messages_fts(rowid, content) select new.rowid, ${keyed('new')}
        where new.content_type = 'text' and new.content is not null;
    end`);
  await knex.raw(`create trigger messages_search_delete after delete on messages
    when old.content_type = 'text' and old.content is not null and ${covered('old')} begin
      delete from messages_fts where rowid = old.rowid;
    end`);
}

async function dropTriggers(knex: Knex): Promise<void> {
  for (const trigger of TRIGGERS) await knex.raw(`drop trigger ${trigger}`);
}

export async function up(knex: Knex): Promise<void> {
  if (isPostgres(knex)) return;
  await knex.raw(`create table ${SEARCH_WATERMARK} (id integer primary key check (id = 1), upto integer not null)`);
  // The triggers of 0019 indexed every message so far.
  await knex.raw(`insert into ${SEARCH_WATERMARK} (id, upto) select 1, coalesce(max(rowid), 0) from messages`);
  await dropTriggers(knex);
  await createTriggers(knex, (row) => `${row}.rowid <= (select upto from ${SEARCH_WATERMARK})`);
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) return;
  // What the indexer had not reached yet, then 0019's triggers, which index every send.
  await knex.raw(`${SQLITE_SEARCH_FILL} and rowid > (select upto from ${SEARCH_WATERMARK})`);
  await dropTriggers(knex);
  await createTriggers(knex, () => '1');
  await knex.raw(`drop table ${SEARCH_WATERMARK}`);
}

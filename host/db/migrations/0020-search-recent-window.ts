import type { Knex } from 'knex';

/**
 * PostgreSQL: text messages by conversation and time, for search's first try at the searcher's
 * newest messages (search/postgres-matches.ts). A word in half of someone's messages is tens of
 * thousands of GIN matches, each read from the table to be ordered by time: 660 ms for a
 * three-letter prefix over a million messages, against 13 ms through this index. It costs each
 * text message one more index entry (about 60 bytes). Built from the stored messages, about 2 s a
 * million. SQLite needs nothing: its FTS5 index gives matches newest first.
 */
export const name = '0020-search-recent-window';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw(
    `create index messages_text_time_index on messages (conversation_id, created_at, seq) where content_type = 'text'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('drop index messages_text_time_index');
}

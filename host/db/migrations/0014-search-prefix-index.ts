import type { Knex } from 'knex';

/**
 * SQLite: the search index gains a prefix index of three characters. The last word of a query
 * also finds longer words (search as you type); without it FTS5 merges the list of every word
 * starting with those letters, 16 ms for a three-letter start over a million messages against
 * under 1 ms with it. Longer starts have few words to merge. Shorter ones are matched whole
 * (search/search-terms.ts), on both databases, so no query walks a whole alphabet's lists.
 * Costs about 5 µs more per indexed message; the index is rebuilt from the messages (some 5 s a
 * million). PostgreSQL's GIN index needs nothing.
 */
export const name = '0014-search-prefix-index';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

/** The table of 0009, with `options` added; the triggers of 0009 refer to it by name and stay. */
async function recreate(knex: Knex, options: string): Promise<void> {
  await knex.raw('drop table messages_fts');
  await knex.raw(`create virtual table messages_fts using fts5(
    content, content = 'messages_search_source', content_rowid = 'message_rowid',
    tokenize = 'unicode61 remove_diacritics 2'${options})`);
  await knex.raw(`insert into messages_fts(messages_fts) values ('rebuild')`);
}

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) await recreate(knex, `, prefix = '3'`);
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) await recreate(knex, '');
}

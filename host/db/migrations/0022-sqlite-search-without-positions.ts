import type { Knex } from 'knex';
import { SQLITE_SEARCH_FILL } from './search-sql.js';

/**
 * SQLite: the FTS5 table of 0019 again, without the words' positions (`detail = none`). A search
 * asks only which messages hold each word, never where (each query term is one keyed word; the
 * host finds the words to highlight itself), and the positions were about a tenth of what the
 * index cost a send: 7.3 against 6.55 µs a message, measured in a loop of inserts (README,
 * issue 16). 0019's triggers write to the table by name and stay. The index is filled again
 * from the messages (about 10 s a million messages).
 */
export const name = '0022-sqlite-search-without-positions';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

async function recreate(knex: Knex, options: string): Promise<void> {
  await knex.raw('drop table messages_fts');
  await knex.raw(`create virtual table messages_fts using fts5(
    content, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'${options})`);
  await knex.raw(SQLITE_SEARCH_FILL);
}

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) await recreate(knex, ', detail = none');
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) await recreate(knex, '');
}

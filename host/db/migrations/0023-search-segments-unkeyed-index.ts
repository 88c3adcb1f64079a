import type { Knex } from 'knex';

/**
 * PostgreSQL: the search segments that keep no words (0021: more text than their words may
 * hold), by conversation. Every search reads those of its conversations; without this index it
 * found them by reading every segment, 0.9 ms for a million messages and growing with them. They
 * are rare, so the index is nearly empty.
 */
export const name = '0023-search-segments-unkeyed-index';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('create index search_segments_unkeyed_index on search_segments (conversation_id) where keys is null');
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw('drop index search_segments_unkeyed_index');
}

import type { Knex } from 'knex';

/**
 * PostgreSQL: the search index's pending list is kept to 128 kB (from the server's 4 MB). A GIN
 * index gathers new entries in that list and merges them into the index when it is full, inside
 * whichever insert fills it: with 4 MB that insert, and the batch of sends waiting on it, took
 * 100 ms and more every few seconds at 2,000 msg/s, the largest part of the send → delivered p99
 * across hosts. Merging 128 kB at a time spreads the same work in short steps, and a search reads
 * a shorter unmerged list. (Without the list, fastupdate off, every insert paid more: p50 +30 %.)
 */
export const name = '0017-search-pending-list';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

/** Whichever search index this database has (0015 replaces the first with the second when btree_gin installs). */
async function searchIndexes(knex: Knex): Promise<string[]> {
  const rows = await knex.raw<{ rows: { name: string }[] }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relname in ('messages_search_index', 'messages_search_conversation_index')`,
  );
  return rows.rows.map((r) => r.name);
}

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  for (const index of await searchIndexes(knex))
    await knex.raw(`alter index ?? set (gin_pending_list_limit = 128)`, [index]);
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  for (const index of await searchIndexes(knex))
    await knex.raw(`alter index ?? reset (gin_pending_list_limit)`, [index]);
}

import type { Knex } from 'knex';

/**
 * PostgreSQL: the search index keys each message's words together with its conversation, so a
 * search looks only at the searcher's conversations inside the index. With 0009's index alone,
 * a common word's whole list was read once for each of the searcher's conversations (3 s for a
 * word in half of a million messages, for someone in 50 conversations).
 *
 * A GIN index over a varchar column needs the `btree_gin` extension, a contrib module that ships
 * with PostgreSQL and that a database owner may install (it is trusted since PostgreSQL 13). It
 * goes in `public`, not in the host's schema: an extension lives once per database, and dropping
 * one host's schema must never take it from another's index. Where it cannot be installed, 0009's
 * index stays and search works as before, slower: the host says so at every start
 * (search/search-index-check.ts). SQLite needs nothing (FTS5 checks membership row by row,
 * newest first, and stops at a page).
 *
 * Measured over a million messages, someone in 50 of 1,000 conversations: a word in 1.6 % of the
 * messages took 638 ms, now 13 ms. The index is built once, about 17 s a million messages.
 */
export const name = '0015-search-by-conversation';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

async function installBtreeGin(knex: Knex): Promise<boolean> {
  const { rows } = await knex.raw<{ rows: unknown[] }>(
    `select 1 from pg_available_extensions where name = 'btree_gin'`,
  );
  if (rows.length === 0) return false;
  // A savepoint: a refusal (no right to create it, no public schema) must not end the migration.
  // Nor must losing the race to another host migrating another schema at the same moment.
  const created = await knex
    .transaction(async (trx) => {
      await trx.raw('create extension if not exists btree_gin with schema public');
    })
    .then(
      () => true,
      () => false,
    );
  if (created) return true;
  const installed = await knex.raw<{ rows: unknown[] }>(`select 1 from pg_extension where extname = 'btree_gin'`);
  return installed.rows.length > 0;
}

export async function up(knex: Knex): Promise<void> {
  if (!isPostgres(knex) || !(await installBtreeGin(knex))) return;
  await knex.raw(`create index messages_search_conversation_index on messages
    using gin (conversation_id, switchboard_search_vector(content)) where content_type = 'text'`);
  await knex.raw('drop index messages_search_index');
}

export async function down(knex: Knex): Promise<void> {
  if (!isPostgres(knex)) return;
  await knex.raw(`create index if not exists messages_search_index on messages
    using gin (switchboard_search_vector(content)) where content_type = 'text'`);
  await knex.raw('drop index if exists messages_search_conversation_index');
}

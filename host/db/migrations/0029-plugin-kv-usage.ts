import type { Knex } from 'knex';

/**
 * A plugin's storage costs the host the same per write however many keys it holds:
 *
 * - `plugins.kv_bytes` is the running total of the bytes its plugin_kv rows take (what the quota
 *   counts), kept in the row that is already the plugin's lock and moved by every change to
 *   plugin_kv in the same transaction (plugins/plugin-kv-usage.ts). Summing every row at each
 *   write cost 34 ms at 100,000 keys; on SQLite that stalled the whole host.
 * - PostgreSQL: plugin_kv.key collates "C" (byte order, as `list` orders), so the primary key
 *   serves a prefix as a range of (plugin_id, key). An index of the database's default collation
 *   cannot serve a "C" comparison; a second index in "C" would cost every write another B-tree,
 *   where changing the column's collation rebuilds the one that exists. Equality is unchanged:
 *   PostgreSQL's default collations are deterministic, equal only when the bytes are. SQLite
 *   compares text bytewise (BINARY) already.
 */
export const name = '0029-plugin-kv-usage';

const isPostgres = (knex: Knex) => (knex.client as Knex.Client).config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plugins', (t) => {
    t.bigInteger('kv_bytes').notNullable().defaultTo(0);
  });
  await knex('plugins').update({
    kv_bytes: knex.raw('coalesce((select sum(bytes) from plugin_kv where plugin_kv.plugin_id = plugins.id), 0)'),
  });
  if (isPostgres(knex)) await knex.raw('alter table plugin_kv alter column key type varchar(512) collate "C"');
}

export async function down(knex: Knex): Promise<void> {
  if (isPostgres(knex)) await knex.raw('alter table plugin_kv alter column key type varchar(512) collate "default"');
  await knex.schema.alterTable('plugins', (t) => t.dropColumn('kv_bytes'));
}

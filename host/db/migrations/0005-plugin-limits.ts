import type { Knex } from 'knex';

/**
 * What the plugin limits need: an index to find a plugin's expired storage keys (deleted at its
 * writes and by the periodic sweep) without reading all its keys, and each job's payload size,
 * so that the scheduler quota sums a column instead of reading every payload.
 */
export const name = '0005-plugin-limits';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plugin_kv', (t) => {
    t.index(['plugin_id', 'expires_at'], 'plugin_kv_plugin_expiry');
  });
  await knex.schema.alterTable('plugin_jobs', (t) => {
    t.integer('payload_bytes').notNullable().defaultTo(0);
  });
  // Payloads are JSON text; their size is counted in UTF-8 bytes, as the scheduler counts new ones.
  // Knex declares `client` as any; at run time it is always a Knex.Client.
  const bytes =
    (knex.client as Knex.Client).config.client === 'pg' ? 'octet_length(payload)' : 'length(CAST(payload AS BLOB))';
  await knex('plugin_jobs').update({ payload_bytes: knex.raw(bytes) });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plugin_jobs', (t) => t.dropColumn('payload_bytes'));
  await knex.schema.alterTable('plugin_kv', (t) => {
    t.dropIndex(['plugin_id', 'expires_at'], 'plugin_kv_plugin_expiry');
  });
}

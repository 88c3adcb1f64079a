import type { Knex } from 'knex';

/** Plugin installs, their migrations, their key-value storage, the audit log; pre-hook request hashes. */
export const name = '0002-plugins';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plugins', (t) => {
    t.string('id', 32).primary();
    t.string('version', 64).notNullable();
    t.string('bot_user_id', 36).notNullable().references('id').inTable('users');
    t.bigInteger('installed_at').notNullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('plugin_migrations', (t) => {
    t.string('plugin_id', 32).notNullable();
    t.string('name', 128).notNullable();
    t.bigInteger('applied_at').notNullable();
    t.primary(['plugin_id', 'name']);
  });
  await knex.schema.createTable('plugin_kv', (t) => {
    t.string('plugin_id', 32).notNullable();
    t.string('key', 512).notNullable();
    t.text('value').notNullable();
    t.integer('bytes').notNullable();
    t.bigInteger('version').notNullable();
    t.bigInteger('expires_at').nullable();
    t.bigInteger('updated_at').notNullable();
    t.primary(['plugin_id', 'key']);
  });
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.string('plugin_id', 32).notNullable();
    t.string('capability', 64).notNullable();
    t.string('action', 64).notNullable();
    t.string('target', 512).nullable();
    t.bigInteger('at').notNullable();
    t.index(['plugin_id', 'id']);
  });
  await knex.schema.alterTable('messages', (t) => {
    // Idempotent resends compare the request as sent, before plugin hooks changed it.
    t.string('request_hash', 64).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => t.dropColumn('request_hash'));
  for (const table of ['audit_log', 'plugin_kv', 'plugin_migrations', 'plugins'])
    await knex.schema.dropTableIfExists(table);
}

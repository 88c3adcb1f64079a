import type { Knex } from 'knex';

/** Durable scheduled jobs of plugins, and each plugin's webhook secret. */
export const name = '0003-plugin-jobs-and-secrets';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plugin_jobs', (t) => {
    t.string('id', 36).primary();
    t.string('plugin_id', 32).notNullable();
    t.string('name', 64).notNullable();
    t.string('key', 128).nullable();
    t.text('payload').notNullable();
    t.bigInteger('run_at').notNullable();
    t.bigInteger('interval_ms').nullable();
    t.integer('attempt').notNullable().defaultTo(0);
    t.string('locked_by', 36).nullable();
    t.bigInteger('locked_until').nullable();
    t.text('last_error').nullable();
    t.bigInteger('created_at').notNullable();
    t.unique(['plugin_id', 'key']);
    t.index(['run_at']);
  });
  await knex.schema.alterTable('plugins', (t) => {
    t.string('webhook_secret', 128).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plugins', (t) => t.dropColumn('webhook_secret'));
  await knex.schema.dropTableIfExists('plugin_jobs');
}

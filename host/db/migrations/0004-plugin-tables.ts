import type { Knex } from 'knex';

/** The tables each plugin created through its schema, with their column kinds. */
export const name = '0004-plugin-tables';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plugin_tables', (t) => {
    t.string('plugin_id', 32).notNullable();
    t.string('name', 64).notNullable();
    t.text('columns').notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['plugin_id', 'name']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('plugin_tables');
}

import type { Knex } from 'knex';

/**
 * Plugin events waiting for their handlers: one row per commit that caused any, written in that
 * commit's transaction, so it exists exactly when the changes do. The committing host hands the
 * events on and deletes the row, renewing `lease_until` meanwhile. A row whose lease ran out
 * belongs to a host that died: another host claims it and hands its events on, with the same
 * event ids. `seq` orders rows as they were committed (within a conversation the writer holds
 * its lock while inserting). `events` is a JSON list (see host/plugins/plugin-event-rows.ts).
 */
export const name = '0006-plugin-event-outbox';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plugin_event_outbox', (t) => {
    t.bigIncrements('seq').primary();
    t.text('events').notNullable();
    t.string('host_id', 36).notNullable();
    t.bigInteger('lease_until').notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['lease_until'], 'plugin_event_outbox_lease');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('plugin_event_outbox');
}

import type { Knex } from 'knex';

/**
 * reports: what people report to the operator (host/reports/). `target` is the message id of a
 * message's report and the user id of a person's, so one partial unique index keeps a reporter to
 * one open report per target, on every host at once (a repeat answers the report it has). The
 * snapshot is the reported message's JSON as it was, kept when its sender deletes it. Times are
 * epoch ms; ids are UUIDv7, so the id order is the order reports came in (to the millisecond).
 */
export const name = '0030-reports';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('reports', (t) => {
    t.string('id', 36).primary();
    t.string('reporter_id', 36).notNullable();
    t.string('user_id', 36).notNullable();
    t.string('conversation_id', 36).nullable();
    t.string('message_id', 36).nullable();
    t.string('target', 64).notNullable();
    t.string('reason', 16).notNullable();
    t.text('note').nullable();
    t.text('snapshot').nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('resolved_at').nullable();
    t.string('resolution', 32).nullable();
    t.string('resolved_by', 64).nullable();
    t.index(['resolved_at', 'id']);
    t.index(['message_id']);
    t.index(['user_id']);
  });
  // Partial indexes are the same statement on SQLite and PostgreSQL.
  await knex.raw('create unique index reports_open_target on reports (reporter_id, target) where resolved_at is null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('reports');
}

import type { Knex } from 'knex';

/**
 * pins: the messages pinned in a conversation, one row per message (pinning again changes
 * nothing). pinned_at is epoch ms; seq is that of the system message that announced the pin, so
 * pins made in the same millisecond (one writer batch shares its clock) still list newest first.
 * Deleting a message deletes its row (message-service.ts), so no foreign key is needed.
 */
export const name = '0028-pins';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('pins', (t) => {
    t.string('conversation_id', 36).notNullable();
    t.string('message_id', 36).notNullable();
    t.string('pinned_by', 36).notNullable();
    t.bigInteger('pinned_at').notNullable();
    t.bigInteger('seq').notNullable();
    t.primary(['conversation_id', 'message_id']);
    t.index(['conversation_id', 'seq']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('pins');
}

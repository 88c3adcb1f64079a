import type { Knex } from 'knex';

/**
 * members.archived_at: when the member archived the conversation (epoch ms), null while it is not
 * archived. A member's own setting, as muted_until is; new messages leave it as it is, so the send
 * path never writes it.
 */
export const name = '0032-archived-conversations';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => {
    t.bigInteger('archived_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('members', (t) => t.dropColumn('archived_at'));
}

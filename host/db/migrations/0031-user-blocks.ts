import type { Knex } from 'knex';

/**
 * Blocking a person:
 * - user_blocks: who blocks whom, the truth (one row a pair and direction; blocking again changes
 *   nothing). Indexed both ways: "whom do I block" lists by blocker, and a block is looked up
 *   either way between two people.
 * - conversations.blocked: true while either member of a direct conversation blocks the other,
 *   derived from user_blocks and kept in step under the conversation's writer lock
 *   (blocks/block-service.ts). It lets every send path refuse in the statement that already
 *   locks the conversation, at no extra statement per send. Always false for groups.
 */
export const name = '0031-user-blocks';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('user_blocks', (t) => {
    t.string('blocker_id', 36).notNullable().references('id').inTable('users');
    t.string('blocked_id', 36).notNullable().references('id').inTable('users');
    t.bigInteger('created_at').notNullable();
    t.primary(['blocker_id', 'blocked_id']);
    t.index(['blocked_id']);
  });
  await knex.schema.alterTable('conversations', (t) => {
    t.boolean('blocked').notNullable().defaultTo(false);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => t.dropColumn('blocked'));
  await knex.schema.dropTableIfExists('user_blocks');
}

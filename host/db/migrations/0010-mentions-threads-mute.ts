import type { Knex } from 'knex';

/**
 * Mentions, threads (replies under a root, followers) and muted conversations:
 * - messages.entities: the mentions of a text message, as the JSON array the wire carries (null when none);
 * - messages.thread_root_id: the root a thread reply belongs to (null in the main timeline), with
 *   an index that pages a thread by seq and finds each root's replies for its summary;
 * - thread_followers: who is told about a thread's replies;
 * - members.muted_until: epoch ms; the member is muted while it is in the future;
 * - conversations.members_may_mention_all: a group's own rule for @all (null: the host's default).
 */
export const name = '0010-mentions-threads-mute';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.text('entities').nullable();
    t.string('thread_root_id', 36).nullable();
    t.index(['thread_root_id', 'seq'], 'messages_thread_root_seq_index');
  });
  await knex.schema.createTable('thread_followers', (t) => {
    t.string('conversation_id', 36).notNullable().references('id').inTable('conversations');
    t.string('root_id', 36).notNullable().references('id').inTable('messages');
    t.string('user_id', 36).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['root_id', 'user_id']);
    t.index(['user_id', 'created_at']);
  });
  await knex.schema.alterTable('members', (t) => {
    t.bigInteger('muted_until').nullable();
  });
  await knex.schema.alterTable('conversations', (t) => {
    t.boolean('members_may_mention_all').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('conversations', (t) => t.dropColumn('members_may_mention_all'));
  await knex.schema.alterTable('members', (t) => t.dropColumn('muted_until'));
  await knex.schema.dropTableIfExists('thread_followers');
  await knex.schema.alterTable('messages', (t) => {
    t.dropIndex(['thread_root_id', 'seq'], 'messages_thread_root_seq_index');
    t.dropColumn('thread_root_id');
    t.dropColumn('entities');
  });
}

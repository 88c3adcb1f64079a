import type { Knex } from 'knex';

/**
 * A follower's read position in a thread: thread_followers.last_read_seq, the seq (of the
 * conversation) up to which they have read its replies. Followers from before it start at each
 * thread's newest reply, so upgrading does not make old replies look new.
 */
export const name = '0012-thread-read-positions';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('thread_followers', (t) => {
    t.bigInteger('last_read_seq').notNullable().defaultTo(0);
  });
  await knex('thread_followers').update({
    last_read_seq: knex.raw(
      'coalesce((select max(m.seq) from messages m where m.thread_root_id = thread_followers.root_id), 0)',
    ),
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('thread_followers', (t) => t.dropColumn('last_read_seq'));
}

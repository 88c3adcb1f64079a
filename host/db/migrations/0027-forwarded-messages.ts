import type { Knex } from 'knex';

/**
 * messages.forwarded_at: on a forwarded message, when the first message of its chain was sent
 * (epoch ms); null for every other message. A nullable column without a default: PostgreSQL
 * adds it without rewriting the table, SQLite with a plain `alter table … add column`.
 * Who sent the original is not kept: the wire never shows it (docs/protocol.md, "Forwarding").
 */
export const name = '0027-forwarded-messages';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => {
    t.bigInteger('forwarded_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('messages', (t) => t.dropColumn('forwarded_at'));
}

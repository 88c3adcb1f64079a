import type { Knex } from 'knex';

/**
 * Upload quota reservations: an upload in progress holds the bytes it may still store, so two
 * uploads by one person at once cannot both pass the quota check and together exceed it
 * (attachments/upload-quota.ts). A row lives as long as its upload; `expires_at` lets a crashed
 * host's rows stop counting, and the attachment sweep deletes them.
 */
export const name = '0013-attachment-reservations';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('attachment_reservations', (t) => {
    t.string('id', 36).primary();
    t.string('owner_id', 36).notNullable().references('id').inTable('users');
    t.bigInteger('bytes').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.index(['owner_id', 'expires_at']);
    t.index(['expires_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('attachment_reservations');
}

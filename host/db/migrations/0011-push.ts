import type { Knex } from 'knex';

/**
 * Web Push:
 * - push_subscriptions: one row per browser (its endpoint is unique: a browser that signs in as
 *   someone else moves to them), with the keys that encrypt its payloads;
 * - notification_settings: a person's quiet hours (local times and the IANA time zone they are in);
 * - push_vapid_keys: the key pair the host signs with when the config gives none, made by the first
 *   host that needs it, so every host of a cluster signs with the same one.
 */
export const name = '0011-push';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('push_subscriptions', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users');
    t.string('endpoint', 2048).notNullable().unique();
    t.string('p256dh', 128).notNullable();
    t.string('auth', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.index(['user_id', 'created_at']);
  });
  await knex.schema.createTable('notification_settings', (t) => {
    t.string('user_id', 36).primary().references('id').inTable('users');
    t.string('quiet_start', 5).nullable();
    t.string('quiet_end', 5).nullable();
    t.string('time_zone', 64).nullable();
    t.bigInteger('updated_at').notNullable();
  });
  await knex.schema.createTable('push_vapid_keys', (t) => {
    t.string('id', 16).primary();
    t.string('public_key', 128).notNullable();
    t.string('private_key', 64).notNullable();
    t.bigInteger('created_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('push_vapid_keys');
  await knex.schema.dropTableIfExists('notification_settings');
  await knex.schema.dropTableIfExists('push_subscriptions');
}

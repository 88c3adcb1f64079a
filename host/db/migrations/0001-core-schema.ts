import type { Knex } from 'knex';

/** Users, tokens, conversations, members, messages and reactions. Times are epoch milliseconds. */
export const name = '0001-core-schema';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.string('id', 36).primary();
    t.string('handle', 32).notNullable();
    t.string('handle_key', 32).notNullable().unique();
    t.string('display_name', 64).notNullable();
    t.string('kind', 16).notNullable();
    t.text('password_hash').nullable();
    t.bigInteger('created_at').notNullable();
  });

  await knex.schema.createTable('tokens', (t) => {
    t.string('id', 36).primary();
    t.string('user_id', 36).notNullable().references('id').inTable('users');
    t.string('token_hash', 64).notNullable().unique();
    t.string('kind', 16).notNullable();
    t.string('label', 64).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('expires_at').notNullable();
    t.bigInteger('revoked_at').nullable();
    t.index(['user_id']);
  });

  await knex.schema.createTable('conversations', (t) => {
    t.string('id', 36).primary();
    t.string('kind', 16).notNullable();
    t.string('title', 128).nullable();
    t.string('direct_key', 80).nullable().unique();
    t.string('created_by', 36).notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('last_seq').notNullable().defaultTo(0);
    t.bigInteger('last_pts').notNullable().defaultTo(0);
    t.bigInteger('last_activity_at').notNullable();
  });

  await knex.schema.createTable('members', (t) => {
    t.string('conversation_id', 36).notNullable().references('id').inTable('conversations');
    t.string('user_id', 36).notNullable().references('id').inTable('users');
    t.string('role', 16).notNullable();
    t.bigInteger('joined_at').notNullable();
    t.bigInteger('read_seq').notNullable().defaultTo(0);
    t.primary(['conversation_id', 'user_id']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('messages', (t) => {
    t.string('id', 36).primary();
    t.string('conversation_id', 36).notNullable().references('id').inTable('conversations');
    t.bigInteger('seq').notNullable();
    t.bigInteger('created_pts').notNullable();
    t.bigInteger('pts').notNullable();
    t.string('sender_id', 36).notNullable();
    t.string('client_msg_id', 64).nullable();
    t.string('content_type', 64).notNullable();
    t.text('content').nullable();
    t.string('reply_to_id', 36).nullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('edited_at').nullable();
    t.bigInteger('deleted_at').nullable();
    t.unique(['conversation_id', 'seq']);
    t.unique(['conversation_id', 'sender_id', 'client_msg_id']);
    t.index(['conversation_id', 'pts']);
  });

  await knex.schema.createTable('reactions', (t) => {
    t.string('message_id', 36).notNullable().references('id').inTable('messages');
    t.string('user_id', 36).notNullable();
    t.string('emoji', 64).notNullable();
    t.bigInteger('created_at').notNullable();
    t.primary(['message_id', 'user_id', 'emoji']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['reactions', 'messages', 'members', 'conversations', 'tokens', 'users']) {
    await knex.schema.dropTableIfExists(table);
  }
}

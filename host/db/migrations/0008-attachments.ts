import type { Knex } from 'knex';

/**
 * Attachments: blobs (content-addressed), uploads and their links to messages, avatars.
 *
 * - `blobs`: one row per stored content hash, whatever store holds the bytes. `touched_at` is the
 *   last time an upload stored the hash: the sweep only deletes blobs unreferenced and untouched for
 *   a while, so an upload of the same bytes racing the sweep keeps them (attachment-sweep.ts).
 * - `blob_chunks`: the bytes themselves on PostgreSQL (the database is the store several hosts
 *   share); unused on SQLite, whose host keeps files in a directory.
 * - `attachments`: an upload; `message_id` and `conversation_id` are null until it is sent.
 * - `messages.attachments`: the sent attachments' wire JSON, so building a message needs no query.
 * - `host_keys`: keys every host shares (the file-URL signing key), created by the first that needs one.
 */
export const name = '0008-attachments';

export async function up(knex: Knex): Promise<void> {
  const isPostgres = (knex.client as Knex.Client).config.client === 'pg';
  await knex.schema.createTable('blobs', (t) => {
    t.string('hash', 64).primary();
    t.bigInteger('size').notNullable();
    t.bigInteger('created_at').notNullable();
    t.bigInteger('touched_at').notNullable();
  });

  await knex.schema.createTable('blob_chunks', (t) => {
    t.string('hash', 64).notNullable();
    t.integer('idx').notNullable();
    t.binary('data').notNullable();
    t.primary(['hash', 'idx']);
  });
  // Media is compressed already; uncompressed out-of-line storage lets a range read slice a chunk cheaply.
  if (isPostgres) await knex.raw('alter table blob_chunks alter column data set storage external');

  await knex.schema.createTable('attachments', (t) => {
    t.string('id', 36).primary();
    t.string('owner_id', 36).notNullable().references('id').inTable('users');
    t.string('conversation_id', 36).nullable();
    t.string('message_id', 36).nullable();
    t.string('name', 255).notNullable();
    t.string('mime_type', 255).notNullable();
    t.bigInteger('size').notNullable();
    t.integer('width').nullable();
    t.integer('height').nullable();
    t.string('blob_hash', 64).notNullable();
    t.string('thumb_hash', 64).nullable();
    t.string('thumb_mime_type', 255).nullable();
    t.bigInteger('created_at').notNullable();
    t.index(['owner_id']);
    t.index(['blob_hash']);
    t.index(['thumb_hash']);
    // A message's attachments, and the unsent sweep (no message, oldest first).
    t.index(['message_id', 'created_at']);
  });

  await knex.schema.alterTable('messages', (t) => {
    t.text('attachments').nullable();
  });

  await knex.schema.createTable('host_keys', (t) => {
    t.string('name', 64).primary();
    t.text('value').notNullable();
    t.bigInteger('created_at').notNullable();
  });

  // ---- part A2: avatars ----------------------------------------------------
  // The user's avatar (a square WebP in the blob store), null without one. A blob is referenced
  // while an attachment or a user names it: the index serves the sweep's check of the second.
  await knex.schema.alterTable('users', (t) => {
    t.string('avatar_hash', 64).nullable();
    t.index(['avatar_hash']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropIndex(['avatar_hash']);
    t.dropColumn('avatar_hash');
  });
  await knex.schema.alterTable('messages', (t) => t.dropColumn('attachments'));
  for (const table of ['host_keys', 'attachments', 'blob_chunks', 'blobs']) await knex.schema.dropTableIfExists(table);
}

import type { PluginMigration } from '../../sdk/index.js';

export const migrations: PluginMigration[] = [
  {
    name: '001-businesses',
    async up({ schema }) {
      await schema.createTable('businesses', (t) => {
        t.string('id', 36);
        t.string('name', 100).notNull();
        t.text('about');
        t.boolean('verified').notNull().defaultTo(false);
        t.bigInteger('created_at').notNull();
        t.primary(['id']);
      });
      await schema.createTable('agents', (t) => {
        t.string('business_id', 36).notNull();
        t.string('user_id', 64).notNull().index();
        t.string('role', 16).notNull();
        t.string('team', 64);
        t.bigInteger('created_at').notNull();
        t.primary(['business_id', 'user_id']);
      });
      // Only the SHA-256 of a key is kept; the key itself is shown once, when it is made.
      await schema.createTable('api_keys', (t) => {
        t.string('id', 36);
        t.string('business_id', 36).notNull().index();
        t.string('hash', 64).notNull().unique();
        t.string('prefix', 16).notNull();
        t.bigInteger('created_at').notNull();
        t.bigInteger('revoked_at');
        t.primary(['id']);
      });
      await schema.createTable('threads', (t) => {
        t.string('id', 36);
        t.string('business_id', 36).notNull().index();
        t.string('customer_id', 64).notNull();
        t.string('conversation_id', 64).notNull().unique();
        t.string('status', 16).notNull();
        t.string('priority', 8).notNull().defaultTo('normal');
        t.string('assignee', 64);
        t.bigInteger('last_customer_at');
        t.bigInteger('created_at').notNull();
        t.bigInteger('updated_at').notNull();
        t.primary(['id']);
        t.unique(['business_id', 'customer_id']);
      });
    },
  },
  {
    name: '002-snooze-notes',
    async up({ schema }) {
      await schema.alterTable('threads', (t) => {
        t.bigInteger('snoozed_until');
      });
      // Private notes live here, never in the conversation, so a customer cannot see them.
      await schema.createTable('notes', (t) => {
        t.id();
        t.string('thread_id', 36).notNull().index();
        t.string('author_id', 64).notNull();
        t.text('text').notNull();
        t.bigInteger('created_at').notNull();
      });
    },
  },
];

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
  {
    name: '003-routing-templates-webhooks',
    async up({ schema }) {
      await schema.alterTable('businesses', (t) => {
        // Hours, away message, persistent menu and routing, validated by businesses/business-config.ts.
        t.json('config');
        t.string('bot_plugin_id', 64);
        t.string('bot_user_id', 64);
        t.string('webhook_url', 2000);
        t.string('webhook_secret', 80);
        // The agents' room: a group of the business's agents where the plugin posts inbox events live.
        t.string('agents_conversation_id', 64);
      });
      await schema.alterTable('agents', (t) => {
        t.boolean('available').notNull().defaultTo(true);
        // Round-robin picks the online agent who was assigned longest ago.
        t.bigInteger('last_assigned_at').notNull().defaultTo(0);
      });
      await schema.alterTable('threads', (t) => {
        t.json('labels');
        t.string('control', 8).notNull().defaultTo('agents');
        t.string('away_day', 10);
        t.bigInteger('resolved_at');
        t.index(['business_id', 'status']);
      });
      await schema.createTable('canned_responses', (t) => {
        t.string('id', 36);
        t.string('business_id', 36).notNull();
        t.string('shortcode', 32).notNull();
        t.text('text').notNull();
        t.bigInteger('created_at').notNull();
        t.primary(['id']);
        t.unique(['business_id', 'shortcode']);
      });
      // Only the SHA-256 of an opt-in token is kept: it is shown once, in the optin webhook event.
      await schema.createTable('optins', (t) => {
        t.string('hash', 64);
        t.string('thread_id', 36).notNull().index();
        t.string('topic', 64).notNull();
        t.bigInteger('created_at').notNull();
        t.bigInteger('expires_at').notNull();
        t.bigInteger('used_at');
        t.primary(['hash']);
      });
      // One rating per resolution of a thread.
      await schema.createTable('csat', (t) => {
        t.string('thread_id', 36).notNull();
        t.bigInteger('resolved_at').notNull();
        t.string('business_id', 36).notNull().index();
        t.string('assignee', 64);
        t.integer('rating');
        t.text('comment');
        t.bigInteger('created_at').notNull();
        t.primary(['thread_id', 'resolved_at']);
      });
      // Invoices sent through payments: paid to the plugin's bot, attributed here to each business.
      await schema.createTable('invoices', (t) => {
        t.string('request_id', 64);
        t.string('business_id', 36).notNull().index();
        t.string('thread_id', 36).notNull();
        t.bigInteger('amount').notNull();
        t.string('currency', 8).notNull();
        t.string('status', 16).notNull();
        t.bigInteger('created_at').notNull();
        t.primary(['request_id']);
      });
      await schema.createTable('webhook_deliveries', (t) => {
        t.string('id', 36);
        t.string('business_id', 36).notNull();
        t.string('url', 2000).notNull();
        t.text('body').notNull();
        t.integer('event_count').notNull();
        t.string('status', 12).notNull();
        t.integer('attempts').notNull().defaultTo(0);
        t.bigInteger('next_at').notNull();
        t.bigInteger('lease_until').notNull().defaultTo(0);
        t.text('last_error');
        t.bigInteger('created_at').notNull();
        t.bigInteger('delivered_at');
        t.primary(['id']);
        t.index(['status', 'next_at']);
        t.index(['business_id', 'status']);
        t.index(['status', 'delivered_at']);
      });
    },
  },
];

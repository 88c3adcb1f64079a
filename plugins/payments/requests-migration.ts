import type { PluginMigration } from '../../sdk/index.js';

/**
 * Payment requests: a person asking another for money (kind "user"), or an invoice a plugin
 * sends through the payments.request service (kind "invoice", paid to that plugin's bot).
 * Appended to the migrations as '004-requests'.
 */
export const requestsMigration: PluginMigration = {
  name: '004-requests',
  async up({ schema }) {
    await schema.createTable('requests', (t) => {
      t.string('id', 36);
      t.string('kind', 8).notNull();
      t.string('payer_id', 64).notNull().index();
      t.string('payee_id', 64).notNull().index();
      t.string('plugin_id', 32);
      t.string('conversation_id', 64).notNull();
      t.bigInteger('amount').notNull();
      t.string('currency', 3).notNull();
      t.string('description', 500);
      t.json('lines');
      // open → processing (invoices: while the requester's pre-checkout runs) → paid | failed;
      // open → declined | expired.
      t.string('status', 16).notNull().index();
      t.string('reason', 200);
      t.string('message_id', 64);
      t.string('pay_key', 128);
      t.bigInteger('tx_id');
      t.bigInteger('expires_at').notNull();
      t.bigInteger('created_at').notNull();
      t.bigInteger('updated_at').notNull();
      t.bigInteger('paid_at');
      t.primary(['id']);
    });
  },
};

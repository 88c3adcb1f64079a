import type { PluginMigration } from '../../sdk/index.js';
import { requestsMigration } from './requests-migration.js';

/**
 * The ledger's tables. Postings are only ever inserted: a correction is a new transaction.
 * Each account's postings form a hash chain (prev_hash → hash), and the wallet row holds the
 * chain's head, so a changed, removed or inserted posting is found by verify.
 */
export const migrations: PluginMigration[] = [
  {
    name: '001-ledger',
    async up({ schema }) {
      await schema.createTable('wallets', (t) => {
        t.id();
        t.string('account', 80).notNull().unique();
        t.string('currency', 3).notNull();
        t.bigInteger('balance').notNull().defaultTo(0);
        t.bigInteger('postings').notNull().defaultTo(0);
        t.string('head_hash', 64).notNull().defaultTo('');
        t.boolean('may_go_negative').notNull().defaultTo(false);
      });
      await schema.createTable('transactions', (t) => {
        t.id();
        t.string('kind', 32).notNull();
        t.string('ref', 80).notNull().index();
        t.json('meta');
        t.bigInteger('created_at').notNull();
      });
      await schema.createTable('postings', (t) => {
        t.id();
        t.bigInteger('tx_id').notNull().index();
        t.string('account', 80).notNull();
        t.string('currency', 3).notNull();
        t.bigInteger('amount').notNull();
        t.bigInteger('balance_after').notNull();
        t.bigInteger('seq').notNull();
        t.string('prev_hash', 64).notNull();
        t.string('hash', 64).notNull();
        t.bigInteger('created_at').notNull();
        t.unique(['account', 'seq']);
      });
      await schema.createTable('idempotency', (t) => {
        t.string('owner', 80).notNull();
        t.string('key', 128).notNull();
        t.string('request_hash', 64).notNull();
        t.json('response');
        t.bigInteger('created_at').notNull();
        t.primary(['owner', 'key']);
      });
      await schema.createTable('transfers', (t) => {
        t.string('id', 36);
        t.string('from_user', 64).notNull().index();
        t.string('to_user', 64).notNull().index();
        t.bigInteger('amount').notNull();
        t.string('currency', 3).notNull();
        t.string('conversation_id', 64);
        t.string('note', 200);
        t.bigInteger('tx_id').notNull();
        t.bigInteger('created_at').notNull();
        t.primary(['id']);
      });
      await schema.createTable('pins', (t) => {
        t.string('user_id', 64);
        t.text('hash').notNull();
        t.integer('failures').notNull().defaultTo(0);
        t.bigInteger('locked_until');
        t.bigInteger('updated_at').notNull();
        t.primary(['user_id']);
      });
      await schema.createTable('daily_usage', (t) => {
        t.string('user_id', 64).notNull();
        t.string('day', 10).notNull();
        t.string('currency', 3).notNull();
        t.bigInteger('amount').notNull().defaultTo(0);
        t.primary(['user_id', 'day', 'currency']);
      });
    },
  },
  {
    name: '002-funding',
    async up({ schema }) {
      // What the host asked the card provider to do, written before the provider is called, so
      // a crash in between is found and finished by reconciliation (exactly once, by key).
      await schema.createTable('provider_operations', (t) => {
        t.string('id', 36);
        t.string('kind', 16).notNull();
        t.string('user_id', 64).notNull().index();
        t.bigInteger('amount').notNull();
        t.string('currency', 3).notNull();
        t.string('status', 16).notNull().index();
        t.string('provider_ref', 80);
        t.string('failure', 200);
        t.bigInteger('tx_id');
        t.bigInteger('created_at').notNull();
        t.bigInteger('updated_at').notNull();
        t.primary(['id']);
      });
      // The simulated card provider's own book (clearly not a real provider; see providers/).
      // Provider callbacks already handled, so a replayed one changes nothing.
      await schema.createTable('provider_events', (t) => {
        t.string('id', 80);
        t.bigInteger('received_at').notNull();
        t.primary(['id']);
      });
      await schema.createTable('sim_provider', (t) => {
        t.string('key', 80);
        t.string('kind', 16).notNull();
        t.bigInteger('amount').notNull();
        t.string('currency', 3).notNull();
        t.string('status', 16).notNull();
        t.string('ref', 80).notNull();
        t.bigInteger('created_at').notNull();
        t.primary(['key']);
      });
    },
  },
  {
    name: '003-holds-refunds',
    async up({ schema }) {
      // A hold: money moved from the payer onto hold:<id>:<currency>, captured to the payee or
      // released back; captured + released never passes amount, refunded never passes captured.
      await schema.createTable('holds', (t) => {
        t.string('id', 36);
        t.string('payer', 64).notNull().index();
        t.string('payee', 64).notNull().index();
        t.string('currency', 3).notNull();
        t.bigInteger('amount').notNull();
        t.bigInteger('captured').notNull().defaultTo(0);
        t.bigInteger('released').notNull().defaultTo(0);
        t.bigInteger('refunded').notNull().defaultTo(0);
        t.string('status', 24).notNull();
        t.string('description', 200);
        t.bigInteger('expires_at').notNull();
        t.bigInteger('auth_tx_id').notNull();
        t.bigInteger('release_tx_id');
        t.bigInteger('created_at').notNull();
        t.bigInteger('updated_at').notNull();
        t.bigInteger('resolved_at');
        t.primary(['id']);
        t.index(['status', 'expires_at']);
      });
      await schema.createTable('hold_captures', (t) => {
        t.string('id', 36);
        t.string('hold_id', 36).notNull().index();
        t.string('by_user', 64);
        t.bigInteger('amount').notNull();
        t.bigInteger('released').notNull().defaultTo(0);
        t.bigInteger('tx_id').notNull();
        t.bigInteger('created_at').notNull();
        t.primary(['id']);
      });
      // Refunds of transfers and of holds' captures: money back from the payee to the payer.
      await schema.createTable('refunds', (t) => {
        t.string('id', 36);
        t.string('source_kind', 16).notNull();
        t.string('source_id', 36).notNull();
        t.string('from_user', 64).notNull();
        t.string('to_user', 64).notNull();
        t.bigInteger('amount').notNull();
        t.string('currency', 3).notNull();
        t.string('reason', 200);
        t.bigInteger('tx_id').notNull();
        t.bigInteger('created_at').notNull();
        t.primary(['id']);
        t.index(['source_kind', 'source_id']);
      });
    },
  },
  requestsMigration,
];

import type { Knex } from 'knex';

/**
 * Accounts an operator deactivated: they can no longer log in or get tokens until reactivated.
 * Null while the account is active.
 */
export const name = '0007-user-deactivation';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.bigInteger('deactivated_at').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => t.dropColumn('deactivated_at'));
}

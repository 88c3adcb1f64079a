import type { Knex } from 'knex';

/** Whether either of two people blocks the other, as an SQL expression (four bindings). */
const EITHER_BLOCKS = `exists (select 1 from user_blocks
  where (blocker_id = ? and blocked_id = ?) or (blocker_id = ? and blocked_id = ?))`;

/**
 * conversations.blocked of the direct conversation of `a` and `b`, computed from user_blocks (the
 * truth), as a value an insert or update writes in its own statement.
 */
export function blockFlag(knex: Knex, a: string, b: string): Knex.Raw {
  return knex.raw(EITHER_BLOCKS, [a, b, b, a]);
}

/** Whether either of two people blocks the other. */
export async function eitherBlocks(knex: Knex, a: string, b: string): Promise<boolean> {
  const row = (await knex.select(knex.raw(`${EITHER_BLOCKS} as blocked`, [a, b, b, a])).first()) as {
    blocked: boolean | number;
  };
  return Boolean(row.blocked);
}

/** Brings the flag of the pair's direct conversation in step with user_blocks; run it under that conversation's writer lock. */
export async function syncBlockFlag(
  trx: Knex.Transaction,
  conversationId: string,
  a: string,
  b: string,
): Promise<void> {
  await trx('conversations')
    .where({ id: conversationId })
    .update({ blocked: blockFlag(trx, a, b) });
}

/** The key that names a pair's one direct conversation (conversations.direct_key). */
export function directKeyOf(a: string, b: string): string {
  return [a, b].sort().join(':');
}

import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { NewMessage, SendResult } from './apply-sends.js';

/** What the person who blocked is told; the other keeps the catalog's neutral message. */
export const BLOCKER_MESSAGE = 'You blocked this person: unblock them to send messages here.';

/**
 * Words for the sends a block refused (at `refused` in `results`): the sender who blocks the other
 * member is told so, and how to send again; the one blocked learns no more than that the send was
 * refused. One query, only for a batch that has such sends: the check itself costs nothing
 * (conversations.blocked is read with the conversation's lock).
 */
export async function explainBlocked(
  trx: Knex.Transaction,
  sends: readonly NewMessage[],
  results: SendResult[],
  refused: readonly number[],
): Promise<void> {
  const of = refused.map((at) => sends[at]!);
  const rows = await trx('user_blocks as b')
    .join('members as m', 'm.user_id', 'b.blocked_id')
    .whereIn('b.blocker_id', [...new Set(of.map((s) => s.senderId))])
    .whereIn('m.conversation_id', [...new Set(of.map((s) => s.conversationId))])
    .select<{ blocker_id: string; conversation_id: string }[]>('b.blocker_id', 'm.conversation_id');
  const blockers = new Set(rows.map((r) => `${r.conversation_id}\u0000${r.blocker_id}`));
  for (const at of refused) {
    const s = sends[at]!;
    if (blockers.has(`${s.conversationId}\u0000${s.senderId}`))
      results[at] = { ok: false, error: new SwitchboardError('blocked', BLOCKER_MESSAGE) };
  }
}

import type { Knex } from 'knex';
import type { Message } from '../../sdk/protocol/message.js';
import { withReactions, type MessageRow } from './message-row.js';

/**
 * The newest message of each of a user's conversations (or of some of them), by conversation id,
 * in one query whatever their number: `last_seq` finds each on the (conversation_id, seq) index.
 * Empty conversations are missing from the map.
 */
export async function lastMessagesOf(
  knex: Knex,
  userId: string,
  conversationIds?: string | readonly string[],
): Promise<Map<string, Message>> {
  const query = knex('members as m')
    .join('conversations as c', 'c.id', 'm.conversation_id')
    .join('messages as lm', (on) => on.on('lm.conversation_id', 'c.id').andOn('lm.seq', 'c.last_seq'))
    .where('m.user_id', userId);
  if (typeof conversationIds === 'string') query.andWhere('m.conversation_id', conversationIds);
  else if (conversationIds !== undefined) query.whereIn('m.conversation_id', conversationIds);
  const messages = await withReactions(knex, await query.select<MessageRow[]>('lm.*'));
  return new Map(messages.map((m) => [m.conversationId, m]));
}

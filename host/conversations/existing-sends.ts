import type { Knex } from 'knex';
import type { NewMessage } from './apply-sends.js';
import type { MessageRow } from './message-row.js';

const keyOf = (conversationId: string, senderId: string, clientMsgId: string) =>
  `${conversationId}\u0000${senderId}\u0000${clientMsgId}`;

/**
 * Messages that already hold one of the batch's (conversation, sender, clientMsgId) keys. Every
 * form seeks the unique index instead of scanning history: PostgreSQL plans row values as index
 * lookups; SQLite seeks the cross product of three IN lists, which is cheap while a batch holds
 * few conversations and senders, and takes one seek per key (an OR of exact keys) once that
 * product would be much larger than the batch (many customers writing at once).
 */
export async function findExisting(
  trx: Knex.Transaction,
  sends: readonly NewMessage[],
  isPostgres: boolean,
): Promise<MessageRow[]> {
  const conversationIds = [...new Set(sends.map((s) => s.conversationId))];
  const senderIds = [...new Set(sends.map((s) => s.senderId))];
  const keys = [
    ...new Map(
      sends.map((s) => [
        keyOf(s.conversationId, s.senderId, s.clientMsgId),
        [s.conversationId, s.senderId, s.clientMsgId] as const,
      ]),
    ).values(),
  ];
  if (isPostgres)
    return (await trx('messages')
      .whereIn(['conversation_id', 'sender_id', 'client_msg_id'], keys as unknown as string[][])
      .select('*')) as MessageRow[];
  const clientMsgIds = [...new Set(sends.map((s) => s.clientMsgId))];
  if (conversationIds.length * senderIds.length * clientMsgIds.length <= CROSS_PRODUCT_PER_KEY * keys.length) {
    return (await trx('messages')
      .whereIn('conversation_id', conversationIds)
      .whereIn('sender_id', senderIds)
      .whereIn('client_msg_id', clientMsgIds)
      .select('*')) as MessageRow[];
  }
  // In chunks: SQLite limits an expression's depth (1,000), and each OR adds a level.
  const found: MessageRow[] = [];
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    found.push(
      ...((await trx('messages')
        .where((q) => {
          for (const [conversation_id, sender_id, client_msg_id] of keys.slice(i, i + KEYS_PER_QUERY))
            void q.orWhere({ conversation_id, sender_id, client_msg_id });
        })
        .select('*')) as MessageRow[]),
    );
  }
  return found;
}

const CROSS_PRODUCT_PER_KEY = 8;
const KEYS_PER_QUERY = 200;

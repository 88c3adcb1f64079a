import type { Message } from '../../sdk/protocol/message.js';
import type { MessageRow } from '../conversations/message-row.js';
import type { WriteContext } from '../conversations/write-context.js';
import type { MessageStore } from './message-store.js';

/**
 * Turns a message into a tombstone inside the writer's transaction, whoever deletes it (its sender,
 * a group's owner or admin, the operator acting on a report): its content, files, reactions and
 * pin go, and members hear of it as of any other change (`message.updated`, on resume, in history).
 */
export async function tombstone(ctx: WriteContext, store: MessageStore, row: MessageRow): Promise<Message> {
  const conversationId = row.conversation_id;
  const pts = ctx.nextPts(conversationId);
  Object.assign(row, { content: null, attachments: null, deleted_at: ctx.now, pts });
  await ctx
    .trx('messages')
    .where({ id: row.id })
    .update({ content: null, attachments: null, deleted_at: ctx.now, pts });
  await ctx.trx('reactions').where({ message_id: row.id }).delete();
  // A deleted message leaves the pins quietly: the list shows only what can be read.
  await ctx.trx('pins').where({ conversation_id: conversationId, message_id: row.id }).delete();
  // Its files go with it: no URL serves them from now on, and the sweep removes the bytes.
  await ctx.trx('attachments').where({ message_id: row.id }).delete();
  const [message] = await store.withReactions(ctx.trx, [row]);
  ctx.emit({ type: 'message.changed', conversationId, pts, change: 'deleted', message: message! });
  return message!;
}

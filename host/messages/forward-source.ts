import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { ForwardOf, MessageContent } from '../../sdk/protocol/message.js';
import type { ForwardCopy } from '../attachments/forward-attachments.js';
import { attachmentsOfRow } from '../attachments/attachment-row.js';
import type { MessageRow } from '../conversations/message-row.js';

/** A send as a frame or body gives it: new content, or a message to forward. */
export interface SendRequest {
  content?: MessageContent;
  forwardOf?: ForwardOf;
  attachmentIds?: readonly string[];
}

/** Exactly one of `content` and `forwardOf`; a forward brings its files, so it names no uploads. */
export function assertContentOrForward(input: SendRequest): void {
  const fail = (path: string, sentence: string, detail: string) =>
    new SwitchboardError('invalid_request', sentence, { details: [{ path, message: detail }] });
  if (input.forwardOf === undefined) {
    if (input.content === undefined)
      throw fail('/content', 'A send needs content, or forwardOf to forward a message.', 'is required');
    return;
  }
  // A forward's content and files are the original's.
  if (input.content !== undefined)
    throw fail(
      '/content',
      'A forward takes no content: it copies the message forwardOf names.',
      'is not allowed with forwardOf',
    );
  if (input.attachmentIds !== undefined)
    throw fail(
      '/attachmentIds',
      'A forward takes no attachmentIds: it copies the files of the message forwardOf names.',
      'is not allowed with forwardOf',
    );
}

/** What a forward copies: the source's content as stored, and what the writer needs to copy its files. */
export interface ForwardSource {
  content: MessageContent;
  copy: ForwardCopy;
}

/**
 * The message `userId` forwards, read as they may read it: a member of its conversation. A
 * message they cannot read is `message_not_found`, as one that does not exist (nothing is
 * revealed); a tombstone is `message_deleted`; the host's system messages are not forwarded.
 * Forwarding a forward keeps the first original's time.
 */
export async function forwardSource(db: Knex, userId: string, of: ForwardOf): Promise<ForwardSource> {
  const [row, member]: [MessageRow | undefined, unknown] = await Promise.all([
    db<MessageRow>('messages')
      .where({ id: of.messageId, conversation_id: of.conversationId })
      .first<MessageRow | undefined>(),
    db('members')
      .where({ conversation_id: of.conversationId, user_id: userId })
      .first<{ user_id: string } | undefined>('user_id'),
  ]);
  if (!row || !member)
    throw new SwitchboardError('message_not_found', 'forwardOf names no message you can read.', {
      details: [{ path: '/forwardOf/messageId', message: 'is not a message you can read' }],
    });
  if (row.deleted_at !== null || row.content === null)
    throw new SwitchboardError('message_deleted', 'The message to forward was deleted.');
  if (row.content_type.startsWith('system.'))
    throw new SwitchboardError('invalid_operation', 'System messages cannot be forwarded.');
  const content: MessageContent =
    row.content_type === 'text'
      ? { type: 'text', text: row.content }
      : { type: row.content_type, body: JSON.parse(row.content) as Record<string, unknown> };
  return {
    content,
    copy: {
      sourceId: row.id,
      at: row.forwarded_at ?? row.created_at,
      attachmentIds: attachmentsOfRow(row).map((a) => a.id),
    },
  };
}

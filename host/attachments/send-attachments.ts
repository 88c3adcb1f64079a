import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Attachment, MessageContent } from '../../sdk/protocol/message.js';
import { toWireAttachment, type AttachmentRow } from './attachment-row.js';

const LINK_CHUNK = 300;

/**
 * The attachments a batch of sends names, in one query. On PostgreSQL the rows are locked until
 * the batch commits, so the unsent sweep cannot delete an upload between this check and the link.
 */
export async function attachmentsOfBatch(
  trx: Knex.Transaction,
  sends: readonly { attachmentIds: readonly string[] }[],
  isPostgres: boolean,
): Promise<Map<string, AttachmentRow>> {
  const ids = [...new Set(sends.flatMap((s) => s.attachmentIds))];
  const found = new Map<string, AttachmentRow>();
  for (let i = 0; i < ids.length; i += LINK_CHUNK) {
    const q = trx<AttachmentRow>('attachments').whereIn('id', ids.slice(i, i + LINK_CHUNK));
    for (const row of await (isPostgres ? q.forUpdate() : q)) found.set(row.id, row);
  }
  return found;
}

/**
 * The wire attachments of one send, or the error that refuses it: each must be the sender's own
 * upload, not yet sent (nor taken by an earlier send of the same batch, recorded in `taken`).
 */
export function claimAttachments(
  send: { senderId: string; attachmentIds: readonly string[] },
  found: ReadonlyMap<string, AttachmentRow>,
  taken: Set<string>,
): { ok: true; attachments: Attachment[] } | { ok: false; error: SwitchboardError } {
  const attachments: Attachment[] = [];
  for (const [index, id] of send.attachmentIds.entries()) {
    const row = found.get(id);
    const path = `/attachmentIds/${index}`;
    if (!row || row.owner_id !== send.senderId) {
      return {
        ok: false,
        error: new SwitchboardError('attachment_not_found', 'attachmentIds names an upload that is not yours.', {
          details: [{ path, message: 'is not an upload of yours' }],
        }),
      };
    }
    if (row.message_id !== null || taken.has(id)) {
      return {
        ok: false,
        error: new SwitchboardError('attachment_already_sent', undefined, {
          details: [{ path, message: 'was already sent' }],
        }),
      };
    }
    attachments.push(toWireAttachment(row));
  }
  for (const id of send.attachmentIds) taken.add(id);
  return { ok: true, attachments };
}

/** Links the batch's attachments to their new messages: one UPDATE per 300 attachments. */
export async function linkAttachments(
  trx: Knex.Transaction,
  links: readonly { attachmentId: string; messageId: string; conversationId: string }[],
): Promise<void> {
  for (let i = 0; i < links.length; i += LINK_CHUNK) {
    const part = links.slice(i, i + LINK_CHUNK);
    const caseOf = (value: (l: (typeof part)[number]) => string) =>
      trx.raw(
        `case id ${part.map(() => 'when ? then ?').join(' ')} end`,
        part.flatMap((l) => [l.attachmentId, value(l)]),
      );
    await trx('attachments')
      .whereIn(
        'id',
        part.map((l) => l.attachmentId),
      )
      .update({ message_id: caseOf((l) => l.messageId), conversation_id: caseOf((l) => l.conversationId) });
  }
}

/** Empty text is a message only when it carries attachments (a photo without a caption). */
export function assertTextOrAttachments(content: MessageContent, attachmentIds: readonly string[]): void {
  if (content.type === 'text' && 'text' in content && content.text === '' && attachmentIds.length === 0) {
    throw new SwitchboardError('invalid_request', 'A text message needs text, or attachments.', {
      details: [{ path: '/content/text', message: 'must not be empty without attachmentIds' }],
    });
  }
}

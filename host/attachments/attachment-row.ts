import type { Attachment } from '../../sdk/protocol/message.js';

/** A row of the attachments table (0008-attachments.ts). Times are epoch milliseconds. */
export interface AttachmentRow {
  id: string;
  owner_id: string;
  /** Both null until the attachment is sent. */
  conversation_id: string | null;
  message_id: string | null;
  name: string;
  mime_type: string;
  size: number;
  width: number | null;
  height: number | null;
  blob_hash: string;
  thumb_hash: string | null;
  thumb_mime_type: string | null;
  created_at: number;
}

export function toWireAttachment(row: AttachmentRow): Attachment {
  return {
    id: row.id,
    name: row.name,
    mimeType: row.mime_type,
    size: Number(row.size),
    width: row.width,
    height: row.height,
    hasThumbnail: row.thumb_hash !== null,
  };
}

/**
 * What `messages.attachments` holds: the wire attachments as JSON, written once at send time, so
 * building a message (every ack, every history page) never queries the attachments table.
 */
export function storedAttachments(attachments: readonly Attachment[]): string | null {
  return attachments.length === 0 ? null : JSON.stringify(attachments);
}

/** The wire attachments of a message row: none once it is deleted. */
export function attachmentsOfRow(row: { attachments?: string | null; deleted_at: number | null }): Attachment[] {
  return row.attachments && row.deleted_at === null ? (JSON.parse(row.attachments) as Attachment[]) : [];
}

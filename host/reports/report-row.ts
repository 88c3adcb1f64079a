import type { Report, ReportAction, ReportReason, ReportedMessage } from '../../sdk/protocol/reports.js';
import { isoTime } from '../core/iso-time.js';
import { contentOf, type MessageRow } from '../conversations/message-row.js';
import { attachmentsOfRow } from '../attachments/attachment-row.js';

/** A row of the reports table (0030-reports.ts). Times are epoch milliseconds. */
export interface ReportRow {
  id: string;
  reporter_id: string;
  user_id: string;
  conversation_id: string | null;
  message_id: string | null;
  /** The message id of a message's report, the user id of a person's. */
  target: string;
  reason: ReportReason;
  note: string | null;
  /** The ReportedMessage as JSON. */
  snapshot: string | null;
  created_at: number;
  resolved_at: number | null;
  resolution: ReportAction | null;
  resolved_by: string | null;
}

export function toReport(row: ReportRow): Report {
  return {
    id: row.id,
    reporterId: row.reporter_id,
    userId: row.user_id,
    conversationId: row.conversation_id,
    messageId: row.message_id,
    reason: row.reason,
    note: row.note,
    message: row.snapshot === null ? null : (JSON.parse(row.snapshot) as ReportedMessage),
    createdAt: isoTime(Number(row.created_at)),
    resolution:
      row.resolved_at === null
        ? null
        : { action: row.resolution!, by: row.resolved_by!, at: isoTime(Number(row.resolved_at)) },
  };
}

/** What the report keeps of a message not deleted: its words and the description of its files, as they are now. */
export function snapshotOf(row: MessageRow): ReportedMessage {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    senderId: row.sender_id,
    content: contentOf(row)!,
    attachments: attachmentsOfRow(row),
    createdAt: isoTime(Number(row.created_at)),
    editedAt: row.edited_at === null ? null : isoTime(Number(row.edited_at)),
    ...(row.forwarded_at != null ? { forwardedAt: isoTime(Number(row.forwarded_at)) } : {}),
  };
}

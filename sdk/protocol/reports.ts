/** Reports of abuse to the operator: docs/protocol.md "Reporting abuse", docs/operators.md "Reviewing reports". */
import type { AdminUser, Attachment, MessageContent } from './message.js';

/** Why something is reported. */
export const REPORT_REASONS = ['spam', 'harassment', 'illegal', 'other'] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** What the operator may do with an open report. */
export const REPORT_ACTIONS = ['dismiss', 'delete_message', 'deactivate_user'] as const;
export type ReportAction = (typeof REPORT_ACTIONS)[number];

/** The longest note a reporter may add (UTF-16 units, as every length of the protocol). */
export const MAX_REPORT_NOTE_LENGTH = 1000;

/**
 * `POST /v1/reports`: a message (`conversationId` and `messageId`, of a conversation the caller is
 * a member of) or a person (`userId`, someone the caller shares a conversation with).
 */
export interface ReportRequest {
  conversationId?: string;
  messageId?: string;
  userId?: string;
  reason: ReportReason;
  note?: string;
}

/**
 * The reported message as it was when reported, kept with the report: the operator is no member
 * of its conversation, and its sender may edit or delete it afterwards.
 */
export interface ReportedMessage {
  id: string;
  conversationId: string;
  senderId: string;
  content: MessageContent;
  /** Its files as they were described (the files themselves go when the message is deleted). */
  attachments: Attachment[];
  createdAt: string;
  editedAt: string | null;
  /** When it is a forward: when the original was sent. */
  forwardedAt?: string;
}

/** How the operator closed a report. */
export interface ReportResolution {
  action: ReportAction;
  /** Who resolved it: `admin` (the operator's admin token) for now. */
  by: string;
  at: string;
}

/** A report as stored (the answer to `POST /v1/reports`). */
export interface Report {
  id: string;
  reporterId: string;
  /** The person reported: the message's sender, or the user named. */
  userId: string;
  /** Null for a report of a person. */
  conversationId: string | null;
  messageId: string | null;
  reason: ReportReason;
  note: string | null;
  /** The snapshot of a reported message; null for a report of a person. */
  message: ReportedMessage | null;
  createdAt: string;
  /** Null while the report is open. */
  resolution: ReportResolution | null;
}

/** A report as the operator's admin API shows it: with the reporter and the person reported. */
export interface AdminReport extends Report {
  reporter: AdminUser;
  user: AdminUser;
}

/** `GET /v1/admin/reports`: newest first; when `hasMore`, ask again with `before` the last id. */
export interface ReportPage {
  reports: AdminReport[];
  hasMore: boolean;
}

/** Archived conversations: docs/protocol.md, "Archived conversations". */
import type { Conversation } from './message.js';

/** The user archived or unarchived a conversation (sent to all their own connections). */
export interface ConversationArchiveFrame {
  type: 'conversation.archive';
  conversationId: string;
  /** As in Conversation.archivedAt: null once unarchived. */
  archivedAt: string | null;
}

/** What `GET /v1/conversations` takes to list archived conversations apart, a page at a time. */
export interface ConversationListQuery {
  /** true: only archived ones; false: only the others; absent: all. */
  archived?: boolean;
  /** 1–200; absent: all of them, in one answer. */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** The answer to `GET /v1/conversations`: newest activity first. */
export interface ConversationListResult {
  conversations: Conversation[];
  /** Pass it as `cursor` for the next page; null on the last one (and when no `limit` was given). */
  nextCursor: string | null;
}

import type { Message, MessageContent, ReactionSummary } from '../../sdk/protocol/message.js';
import { isoTime } from '../core/iso-time.js';

/** A row of the messages table. `content` holds the text, or the JSON body of a structured type. */
export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  created_pts: number;
  pts: number;
  sender_id: string;
  client_msg_id: string | null;
  content_type: string;
  content: string | null;
  reply_to_id: string | null;
  created_at: number;
  edited_at: number | null;
  deleted_at: number | null;
  /** Hash of the send request as the sender made it (before plugin hooks); null for host-written rows. */
  request_hash?: string | null;
}

export interface ReactionRow {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: number;
}

/** Content as stored: the type, and the text or the serialized body. */
export interface StoredContent {
  contentType: string;
  content: string;
}

export function storeContent(content: MessageContent): StoredContent {
  return 'text' in content && content.type === 'text'
    ? { contentType: 'text', content: content.text }
    : { contentType: content.type, content: JSON.stringify((content as { body: unknown }).body) };
}

function contentOf(row: MessageRow): MessageContent | null {
  if (row.deleted_at !== null || row.content === null) return null;
  if (row.content_type === 'text') return { type: 'text', text: row.content };
  return { type: row.content_type, body: JSON.parse(row.content) as Record<string, unknown> };
}

/** Groups reaction rows (ordered by created_at) by emoji, in order of first use. */
export function summarizeReactions(rows: readonly ReactionRow[]): ReactionSummary[] {
  const byEmoji = new Map<string, string[]>();
  for (const r of rows) {
    const users = byEmoji.get(r.emoji);
    if (users) users.push(r.user_id);
    else byEmoji.set(r.emoji, [r.user_id]);
  }
  return [...byEmoji].map(([emoji, userIds]) => ({ emoji, userIds }));
}

export function toWireMessage(row: MessageRow, reactions: readonly ReactionRow[] = []): Message {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    seq: row.seq,
    pts: row.pts,
    senderId: row.sender_id,
    clientMsgId: row.client_msg_id,
    content: contentOf(row),
    replyToId: row.reply_to_id,
    reactions: row.deleted_at === null ? summarizeReactions(reactions) : [],
    createdAt: isoTime(row.created_at),
    editedAt: isoTime(row.edited_at),
    deletedAt: isoTime(row.deleted_at),
  };
}

/** Wire types for users, conversations and messages (protocol version 1). */

export const PROTOCOL_VERSION = 1;

export type UserKind = 'person' | 'bot' | 'service';

export interface PublicUser {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
  readonly kind: UserKind;
  readonly createdAt: string;
}

export type AccountStatus = 'active' | 'deactivated';

/** A user as the operator's admin API shows it (GET /v1/admin/users). */
export interface AdminUser extends PublicUser {
  readonly status: AccountStatus;
  /** When an operator deactivated the account; null while it is active. */
  readonly deactivatedAt: string | null;
}

export type ConversationKind = 'direct' | 'group';
export type MemberRole = 'owner' | 'admin' | 'member';

export interface Conversation {
  readonly id: string;
  readonly kind: ConversationKind;
  /** null for direct conversations. */
  readonly title: string | null;
  readonly createdAt: string;
  readonly memberCount: number;
  /** Sequence number of the newest message (0 when empty). */
  readonly lastSeq: number;
  /** Newest change counter of the conversation: the resume position. */
  readonly lastPts: number;
  readonly myRole: MemberRole;
  /** The caller's read watermark. */
  readonly myReadSeq: number;
  /** The newest message (a tombstone once deleted), or null while the conversation is empty. */
  readonly lastMessage: Message | null;
  /** Messages after the caller's read watermark sent by others and not deleted. */
  readonly unreadCount: number;
}

export interface Member {
  readonly userId: string;
  readonly role: MemberRole;
  readonly joinedAt: string;
  readonly readSeq: number;
}

export interface TextContent {
  readonly type: 'text';
  readonly text: string;
}

/** Any registered structured type, e.g. "poll.card" or the host's own "system.*" types. */
export interface StructuredContent {
  readonly type: string;
  readonly body: Record<string, unknown>;
}

export type MessageContent = TextContent | StructuredContent;

export interface ReactionSummary {
  readonly emoji: string;
  readonly userIds: readonly string[];
}

export interface Message {
  readonly id: string;
  readonly conversationId: string;
  /** Per-conversation message number: 1, 2, 3 … with no gaps. */
  readonly seq: number;
  /** Change counter of the newest change to this message (creation, edit, delete, reaction). */
  readonly pts: number;
  readonly senderId: string;
  readonly clientMsgId: string | null;
  /** null once the message is deleted (a tombstone). */
  readonly content: MessageContent | null;
  readonly replyToId: string | null;
  readonly reactions: readonly ReactionSummary[];
  readonly createdAt: string;
  readonly editedAt: string | null;
  readonly deletedAt: string | null;
}

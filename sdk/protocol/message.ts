/** Wire types for users, conversations and messages (protocol version 1). */

export const PROTOCOL_VERSION = 1;

/**
 * What the host takes for a new account (lengths in characters), checked by clients before asking
 * it. The pattern covers the whole handle; the lengths are checked apart from it.
 */
export const ACCOUNT_RULES = {
  handle: { minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9_.-]+$' },
  displayName: { minLength: 1, maxLength: 64 },
  password: { minLength: 8, maxLength: 256 },
} as const;

export type UserKind = 'person' | 'bot' | 'service';

export interface PublicUser {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
  readonly kind: UserKind;
  readonly createdAt: string;
  /**
   * The avatar, a square WebP: a path on the host (`/v1/avatars/<hash>`) fetched without a token.
   * It names the content, so a new avatar has a new path; null without one.
   */
  readonly avatarUrl: string | null;
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
  /** Messages of the main timeline after the caller's read watermark, sent by others and not deleted (thread replies are not counted). */
  readonly unreadCount: number;
  /** Messages after the caller's read watermark that mention the caller or @all, sent by others and not deleted (thread replies included). */
  readonly mentionCount: number;
  /** Until when the caller muted the conversation (far in the future for "until I unmute"); null while not muted. Counts still count while muted. */
  readonly mutedUntil: string | null;
  /** When the caller archived the conversation; null while not archived. New messages leave it archived; counts still count. */
  readonly archivedAt: string | null;
  /** Whether plain members may mention everyone with @all (owners and admins always may; false in direct conversations). */
  readonly membersMayMentionAll: boolean;
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

/** A file sent with a message (docs/protocol.md, "Attachments"). Its bytes are fetched by id. */
export interface Attachment {
  readonly id: string;
  /** The name it was uploaded under (never trusted for its type). */
  readonly name: string;
  /** Taken from the content when it was uploaded, not from the name or the request. */
  readonly mimeType: string;
  /** Bytes. */
  readonly size: number;
  /** Images only; null otherwise. */
  readonly width: number | null;
  readonly height: number | null;
  /** Images only: a small preview can be fetched. */
  readonly hasThumbnail: boolean;
}

/** A span of a text message the host recognized: offsets and lengths count UTF-16 code units. */
export type MessageEntity =
  | { readonly type: 'mention'; readonly offset: number; readonly length: number; readonly userId: string }
  | { readonly type: 'mention_all'; readonly offset: number; readonly length: number };

/** What a thread's root message shows of its replies (computed when read; live clients count replies they receive). */
export interface ThreadSummary {
  readonly replyCount: number;
  readonly lastReplyId: string;
  readonly lastReplySenderId: string;
  readonly lastReplyAt: string;
}

/**
 * What a forwarded message says of its origin: only that it was forwarded, and when the original
 * (the first of a chain of forwards) was sent. Who wrote it is not shown (docs/protocol.md, "Forwarding").
 */
export interface ForwardedMarker {
  readonly at: string;
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
  /** Files sent with the message ([] when none, and once it is deleted). */
  readonly attachments: readonly Attachment[];
  /** Mentions in the text ([] when none). */
  readonly entities: readonly MessageEntity[];
  /** The root message of the thread this message replies in; null for messages in the main timeline. */
  readonly threadRootId: string | null;
  /** On a thread's root: its replies so far; null when it has none (and on every reply). */
  readonly thread: ThreadSummary | null;
  readonly reactions: readonly ReactionSummary[];
  /** Present only on a forwarded message (not once it is deleted); its content is a copy of the original's. */
  readonly forwarded?: ForwardedMarker;
  readonly createdAt: string;
  readonly editedAt: string | null;
  readonly deletedAt: string | null;
}

/** The message a send forwards (`forwardOf`): one the sender can read, in any conversation of theirs. */
export interface ForwardOf {
  conversationId: string;
  messageId: string;
}

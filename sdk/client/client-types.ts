import type {
  PresenceFrame,
  ReadyFrame,
  ReceiptFrame,
  ThreadReadFrame,
  ThreadUnreadFrame,
  TypingEventFrame,
} from '../protocol/frames.js';
import type { Conversation, Message, MessageContent, PublicUser } from '../protocol/message.js';
import type { BlockedUser } from '../protocol/blocks.js';
import type { ClientError } from './client-error.js';
import type { ClientStore } from './client-store.js';

export interface ClientOptions {
  /** The host's HTTP address, e.g. 'http://localhost:8080'; the socket is the same with ws(s):// and /v1/ws. */
  baseUrl: string;
  token?: string | null;
  /** Where the outbox, the conversation list and recent messages are kept (memoryStore() unless given). */
  store?: ClientStore;
  /** Reconnect delays: exponential from initialDelayMs (500) up to maxDelayMs (15000), with jitter. */
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
  /** How long a socket request may wait for its answer (15000 ms) before it fails with `timeout`. */
  requestTimeoutMs?: number;
  WebSocket?: typeof WebSocket;
  fetch?: typeof fetch;
}

/**
 * idle: not started, or close() was called. connecting: the first connection is being made.
 * online: authenticated and caught up. offline: the connection was lost; reconnecting with backoff.
 * ended: the host ended the session (4001/4003, or logout); a new token is needed.
 */
export type ClientState = 'idle' | 'connecting' | 'online' | 'offline' | 'ended';

/** A cached conversation, as a UI renders it. */
export interface ConversationView {
  /**
   * As listed over HTTP, kept up to date by live frames (lastSeq, lastPts, myReadSeq; title and
   * memberCount are fetched again when a system message says they changed). Its lastMessage and
   * unreadCount are copies of the ones below, made with the view: read those.
   */
  conversation: Conversation;
  /** The newest message, as live frames left it. */
  lastMessage: Message | null;
  /** Messages of the main timeline after my read watermark, sent by others and not deleted (thread replies are not counted). */
  unreadCount: number;
  /** Messages after my read watermark (thread replies included) that mention me or @all, sent by others and not deleted. */
  mentionCount: number;
  /** Until when I muted it (ISO; far in the future for "until I unmute"), or null. Counts still count while muted. */
  mutedUntil: string | null;
  /** When I archived it (ISO), or null. It stays archived when messages arrive; counts still count. */
  archivedAt: string | null;
  /** Ids of the users typing now (an entry expires 6 s after its last 'started'). */
  typing: string[];
  /** Members' read watermarks from receipts: stored with the cache, so they survive reconnects and reloads. */
  readSeqs: Record<string, number>;
}

/** My own settings of a conversation, which my devices share: mute and archive. */
export type OwnSettings = Partial<Pick<Conversation, 'mutedUntil' | 'archivedAt'>>;

/** A message in the outbox: stored before it is sent, removed once the host acknowledged it. */
export interface PendingSend {
  clientMsgId: string;
  conversationId: string;
  content: MessageContent;
  replyToId: string | null;
  /** The thread root, for a reply in a thread (null or absent otherwise). */
  threadRootId?: string | null;
  /** Uploads sent with it (absent when none): kept so that a resend after a reconnect is identical. */
  attachmentIds?: string[];
  /**
   * A forward (absent otherwise): the message it copies. `content` is then the original's as the
   * client had it, to show while pending; the host copies the content itself.
   */
  forwardOf?: { conversationId: string; messageId: string };
  createdAt: string;
  /** How many times it was handed to the socket. */
  attempts: number;
  /** failed: refused for good (forbidden, say); kept until retry() or discard(). */
  state: 'queued' | 'sending' | 'failed';
  error?: { code: string; message: string };
}

export type MessageChange = 'created' | 'edited' | 'deleted' | 'reaction';

export interface MessageEvent {
  conversationId: string;
  message: Message;
  change: MessageChange;
}

export interface ClientEvents {
  state: (state: ClientState) => void;
  ready: (ready: ReadyFrame) => void;
  /** A message was added to or changed in the cache (each change once, whatever brought it). */
  message: (e: MessageEvent) => void;
  /** Any change to a cached conversation: last message, unread, typing, title, read watermarks. */
  conversation: (view: ConversationView) => void;
  /** The list changed: a conversation was added or removed, or the order moved. */
  conversations: (views: ConversationView[]) => void;
  receipt: (f: ReceiptFrame) => void;
  typing: (f: TypingEventFrame) => void;
  presence: (f: PresenceFrame) => void;
  /**
   * A user who shares a conversation with me (or I) changed their display name or avatar: replace
   * any copy of them you keep. `client.user` is already updated when it is me.
   */
  user: (user: PublicUser) => void;
  /**
   * A thread's summary changed in the cache (a reply arrived or was deleted): `root` is the cached
   * root with its new `thread`. Only roots in the cache are kept up to date this way.
   */
  thread: (e: { conversationId: string; root: Message }) => void;
  /** My read position in a thread I follow moved, on this device or another (`http.markThreadRead`). */
  threadRead: (f: ThreadReadFrame) => void;
  /**
   * What is new to me in a thread I follow changed: a reply was sent or deleted there (mine too), or
   * I unfollowed it. The count is the host's; `http.unreadThreads()` gives them all (ask again when back online).
   */
  threadUnread: (f: ThreadUnreadFrame) => void;
  /** Whom I block changed (client.blocks; on this device or another): the list as it is now, newest first. */
  blocks: (blocked: BlockedUser[]) => void;
  /** The messages of that conversation were dropped and reloaded from history (too far behind to resume). */
  resync: (conversationId: string) => void;
  /** The outbox of that conversation changed. */
  pending: (conversationId: string, pending: PendingSend[]) => void;
  /** A failure not tied to a call, e.g. a resume or a conversation refresh that failed. */
  error: (error: ClientError) => void;
}

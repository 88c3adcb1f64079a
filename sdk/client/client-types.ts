import type { PresenceFrame, ReadyFrame, ReceiptFrame, TypingEventFrame } from '../protocol/frames.js';
import type { Conversation, Message, MessageContent } from '../protocol/message.js';
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
  /** As listed over HTTP, kept up to date by live frames (lastSeq, lastPts, myReadSeq). */
  conversation: Conversation;
  lastMessage: Message | null;
  /** Messages after my read watermark, sent by others and not deleted. */
  unreadCount: number;
  /** Ids of the users typing now (an entry expires 6 s after its last 'started'). */
  typing: string[];
  /** Members' read watermarks seen in receipts since connecting. */
  readSeqs: Record<string, number>;
}

/** A message in the outbox: stored before it is sent, removed once the host acknowledged it. */
export interface PendingSend {
  clientMsgId: string;
  conversationId: string;
  content: MessageContent;
  replyToId: string | null;
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
  /** The messages of that conversation were dropped and reloaded from history (too far behind to resume). */
  resync: (conversationId: string) => void;
  /** The outbox of that conversation changed. */
  pending: (conversationId: string, pending: PendingSend[]) => void;
  /** A failure not tied to a call, e.g. a resume or a conversation refresh that failed. */
  error: (error: ClientError) => void;
}

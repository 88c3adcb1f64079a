/** Every WebSocket frame of protocol version 1. docs/protocol.md describes their meaning. */
import type { ErrorBody } from '../errors/switchboard-error.js';
import type { ConversationArchiveFrame } from './conversation-archive.js';
import type { PluginErrorBody } from '../plugin/plugin-error.js';
import type { ForwardOf, Message, MessageContent, PublicUser } from './message.js';
import type { PinFrame, PinsFrame, UnpinFrame } from './pins.js';
import type { UserBlockFrame } from './blocks.js';
import type { ThreadReadFrame, ThreadUnreadFrame } from './threads.js';

export type { CommandListing, CommandListingArgument } from './command-listing.js';

export type { Pin, PinFrame, PinResult, PinsFrame, PinsResult, PinSystemBody, UnpinFrame } from './pins.js';

export type {
  FollowedThread,
  FollowedThreadsResult,
  ThreadPageResult,
  ThreadPosition,
  ThreadReadFrame,
  ThreadReadResult,
  ThreadUnreadFrame,
  UnreadThreadsResult,
} from './threads.js';

// ---- client → server ------------------------------------------------------

export interface AuthFrame {
  type: 'auth';
  token: string;
}
export interface SendFrame {
  type: 'send';
  id: string;
  conversationId: string;
  clientMsgId: string;
  /** The new message's content; exactly one of `content` and `forwardOf` is given. */
  content?: MessageContent;
  /** Forwards this message: the host copies its content and attachments (no `content`, no `attachmentIds`). */
  forwardOf?: ForwardOf;
  replyToId?: string;
  /** Sends the message as a reply in the thread of this root (a message of the main timeline). */
  threadRootId?: string;
  /** Uploads (POST /v1/attachments) sent with the message, in order; with them, text may be "". */
  attachmentIds?: string[];
}
export interface EditFrame {
  type: 'edit';
  id: string;
  conversationId: string;
  messageId: string;
  content: MessageContent;
}
export interface DeleteFrame {
  type: 'delete';
  id: string;
  conversationId: string;
  messageId: string;
}
export interface ReactFrame {
  type: 'react';
  id: string;
  conversationId: string;
  messageId: string;
  emoji: string;
  op: 'add' | 'remove';
}
export interface ReadFrame {
  type: 'read';
  id: string;
  conversationId: string;
  seq: number;
}
export interface TypingFrame {
  type: 'typing';
  conversationId: string;
  state: 'started' | 'stopped';
}
export interface HistoryFrame {
  type: 'history';
  id: string;
  conversationId: string;
  before?: number;
  after?: number;
  limit?: number;
}
/** The most conversations one resume frame lists. */
export const MAX_RESUME_CONVERSATIONS = 1000;
export interface ResumePosition {
  conversationId: string;
  pts: number;
}
export interface ResumeFrame {
  type: 'resume';
  id: string;
  conversations: ResumePosition[];
}
export interface PresenceSubscribeFrame {
  type: 'presence.subscribe';
  id: string;
  userIds: string[];
}
export interface PresenceUnsubscribeFrame {
  type: 'presence.unsubscribe';
  id: string;
  userIds: string[];
}
export interface PingFrame {
  type: 'ping';
  id?: string;
}
/** A slash command, e.g. "/poll Lunch?"; answered by the plugin that declared it. */
export interface CommandFrame {
  type: 'command';
  id: string;
  conversationId: string;
  text: string;
  /** Sent again, unchanged, when the command is resent: a command that moves money runs once per key. */
  idempotencyKey?: string;
}
/** A tap on a button or quick reply of an "interactive.card" message; answered by the plugin that sent it. */
export interface PostbackFrame {
  type: 'postback';
  id: string;
  conversationId: string;
  messageId: string;
  buttonId: string;
}

export type ClientFrame =
  | AuthFrame
  | SendFrame
  | EditFrame
  | DeleteFrame
  | ReactFrame
  | ReadFrame
  | TypingFrame
  | HistoryFrame
  | ResumeFrame
  | PresenceSubscribeFrame
  | PresenceUnsubscribeFrame
  | PingFrame
  | CommandFrame
  | PostbackFrame
  | PinFrame
  | UnpinFrame
  | PinsFrame;

// ---- server → client ------------------------------------------------------

export interface ReadyFrame {
  type: 'ready';
  protocol: number;
  sessionId: string;
  user: PublicUser;
  heartbeatIntervalMs: number;
  limits: {
    maxPayloadBytes: number;
    framesPerSecond: number;
    burst: number;
    resumeLimit: number;
    /** The most characters (Unicode code points) a text message may have. */
    maxTextLength: number;
  };
  /** What the operator turned on or off: a client leaves out what the host does not offer. */
  features: { linkPreviews: boolean };
}
export interface ResultFrame<T = Record<string, unknown>> {
  type: 'result';
  replyTo: string;
  data: T;
}
/** A plugin's own refusal of a command or tap carries the plugin's code (docs/plugins.md). */
export interface ErrorFrame {
  type: 'error';
  replyTo: string | null;
  error: ErrorBody | PluginErrorBody;
}
export interface MessageCreatedFrame {
  type: 'message.created';
  conversationId: string;
  pts: number;
  message: Message;
}
export interface MessageUpdatedFrame {
  type: 'message.updated';
  conversationId: string;
  pts: number;
  change: 'edited' | 'deleted' | 'reaction';
  message: Message;
}
export interface ReceiptFrame {
  type: 'receipt';
  conversationId: string;
  userId: string;
  seq: number;
}
export interface TypingEventFrame {
  type: 'typing';
  conversationId: string;
  userId: string;
  state: 'started' | 'stopped';
}
export type PresenceStatus = 'online' | 'offline';
export interface PresenceFrame {
  type: 'presence';
  userId: string;
  status: PresenceStatus;
  lastSeenAt: string | null;
}
export interface ResyncFrame {
  type: 'resync';
  conversationId: string;
  /** The only reason of protocol 1, also for a resume from a pts the conversation never reached. */
  reason: 'too_far_behind';
  pts: number;
  seq: number;
}
export interface PongFrame {
  type: 'pong';
  replyTo: string | null;
}
/** The user muted or unmuted a conversation (sent to all their own connections). */
export interface ConversationMuteFrame {
  type: 'conversation.mute';
  conversationId: string;
  /** As in Conversation.mutedUntil: null once unmuted. */
  mutedUntil: string | null;
}
/** A user you share a conversation with (or you, on another device) changed their profile. */
export interface UserUpdatedFrame {
  type: 'user.updated';
  user: PublicUser;
}

export type ServerFrame =
  | ReadyFrame
  | ResultFrame
  | ErrorFrame
  | MessageCreatedFrame
  | MessageUpdatedFrame
  | ReceiptFrame
  | TypingEventFrame
  | PresenceFrame
  | ResyncFrame
  | PongFrame
  | ConversationMuteFrame
  | ConversationArchiveFrame
  | UserUpdatedFrame
  | ThreadReadFrame
  | ThreadUnreadFrame
  | UserBlockFrame;

// ---- result payloads --------------------------------------------------------

export interface SendResult {
  message: Message;
  duplicate: boolean;
}
export interface MessageResult {
  message: Message;
}
export interface ReadResult {
  conversationId: string;
  seq: number;
}
export interface HistoryResult {
  messages: Message[];
  hasMore: boolean;
}
export type ResumeStatus =
  | { conversationId: string; status: 'caught_up'; pts: number; seq: number }
  | { conversationId: string; status: 'resync'; pts: number; seq: number }
  | { conversationId: string; status: 'not_found' };
export interface ResumeResult {
  conversations: ResumeStatus[];
  /** Conversations the user belongs to that the client did not list (joined while offline). */
  joined: { conversationId: string; pts: number; seq: number }[];
}
export interface CommandResult {
  plugin: string;
  reply: { text: string } | null;
}
export interface PresenceResult {
  presence: { userId: string; status: PresenceStatus; lastSeenAt: string | null }[];
}

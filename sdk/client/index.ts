/**
 * The Switchboard client library: a typed client for apps in browsers and in Node, on the
 * documented protocol only (docs/protocol.md). Its guide is docs/client.md.
 */
export { SwitchboardClient } from './switchboard-client.js';
export type {
  ClientOptions,
  ClientState,
  ClientEvents,
  PendingSend,
  ConversationView,
  MessageChange,
  MessageEvent,
} from './client-types.js';
export { ClientError } from './client-error.js';
export type { ErrorDetail } from '../errors/switchboard-error.js';
export { memoryStore, localStorageStore, type ClientStore } from './client-store.js';
export { HttpApi, type AuthResult, type BinaryBody } from './http-api.js';
export type { AttachmentView } from '../protocol/attachments.js';
// The wire types the client's calls and events use, so an app types its own code with them
// from this entry alone (sdk/protocol is not an export of the package).
export type {
  Attachment,
  Conversation,
  ConversationKind,
  Member,
  MemberRole,
  Message,
  MessageContent,
  MessageEntity,
  PublicUser,
  ReactionSummary,
  StructuredContent,
  TextContent,
  ThreadSummary,
  UserKind,
} from '../protocol/message.js';
export type {
  CommandListing,
  CommandResult,
  HistoryResult,
  Pin,
  PinSystemBody,
  PresenceFrame,
  PresenceStatus,
  ReadyFrame,
  ReceiptFrame,
  TypingEventFrame,
} from '../protocol/frames.js';
export { MAX_PINS_PER_CONVERSATION } from '../protocol/pins.js';
export type { BlockedUser, BlocksQuery, BlocksResult, UserBlockFrame } from '../protocol/blocks.js';
export type { BlockList } from './block-list.js';
export type {
  ConversationArchiveFrame,
  ConversationListQuery,
  ConversationListResult,
} from '../protocol/conversation-archive.js';
export type {
  FollowedThread,
  FollowedThreadsResult,
  ThreadPageResult,
  ThreadReadFrame,
  ThreadReadResult,
  ThreadUnreadFrame,
  UnreadThreadsResult,
} from '../protocol/threads.js';
export type {
  NotificationSettings,
  PushPayload,
  PushReason,
  PushSubscriptionJson,
  QuietHours,
  StoredPushSubscription,
} from '../protocol/push.js';
export type { SearchHighlight, SearchHit, SearchOptions, SearchResult, SearchSnippet } from '../protocol/search.js';
export type { LinkPreview, LinkPreviewImage } from '../protocol/link-preview.js';
export type { Report, ReportReason, ReportRequest, ReportResolution, ReportedMessage } from '../protocol/reports.js';
export { MAX_REPORT_NOTE_LENGTH, REPORT_REASONS } from '../protocol/reports.js';
export { mergePage } from './message-list.js';
export { randomUuid } from './random-uuid.js';
export {
  formatSpans,
  formatTree,
  stripFormatting,
  type FormatNode,
  type FormatSpan,
  type KeptRange,
  type TextStyle,
} from '../protocol/text-formatting.js';

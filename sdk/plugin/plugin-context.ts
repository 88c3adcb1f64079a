/**
 * The capability object a plugin receives: one per plugin, bound to its identity, limited to
 * the permissions its manifest requested and the operator granted. Every method checks its
 * permission on every call and throws PermissionDeniedError when it is missing.
 */
import type { Conversation, Member, Message, MessageContent, PublicUser } from '../protocol/message.js';
import type { Permission } from './permissions.js';
import type { DatabaseCapability } from './database.js';

export interface PluginContext<Settings = Record<string, unknown>> {
  /** Who this plugin is (from its manifest); never settable by the plugin. */
  readonly plugin: { readonly id: string; readonly version: string };
  /** The plugin's bot user: what it sends is sent as this user. */
  readonly self: PublicUser;
  readonly permissions: PluginPermissions;
  /** Operator settings, validated against the manifest's settings schema, with its defaults. */
  readonly settings: Readonly<Settings>;
  readonly log: PluginLogger;
  readonly messages: MessagesCapability;
  readonly conversations: ConversationsCapability;
  readonly users: UsersCapability;
  readonly storage: StorageCapability;
  readonly database: DatabaseCapability;
  readonly events: EventsCapability;
  readonly hooks: HooksCapability;
  readonly commands: CommandsCapability;
  readonly interactive: InteractiveCapability;
  readonly http: HttpCapability;
  readonly scheduler: SchedulerCapability;
  readonly services: ServicesCapability;
  readonly crypto: CryptoCapability;
}

export interface PluginPermissions {
  /** Requested and granted. */
  readonly granted: readonly Permission[];
  /** Requested but refused by the operator: the plugin learns this at start. */
  readonly refused: readonly Permission[];
  has(permission: Permission): boolean;
}

/** Lines go to the host log, tagged with the plugin id, and to the per-plugin log operators read. */
export interface PluginLogger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface HistoryQuery { before?: number; after?: number; limit?: number }

/** Only in conversations the plugin bot belongs to. */
export interface MessagesCapability {
  /** permission messages.send. `clientMsgId` makes retries idempotent, as for clients. */
  send(conversationId: string, content: MessageContent, options?: { clientMsgId?: string; replyToId?: string }): Promise<Message>;
  /** permission messages.edit; only the bot's own messages. */
  edit(conversationId: string, messageId: string, content: MessageContent): Promise<Message>;
  /** permission messages.read. */
  history(conversationId: string, query?: HistoryQuery): Promise<{ messages: Message[]; hasMore: boolean }>;
}

export interface ConversationsCapability {
  /** permission conversations.read: the bot's conversations. */
  list(): Promise<Conversation[]>;
  /** permission conversations.read. */
  get(conversationId: string): Promise<Conversation>;
  /** permission conversations.read; first 500 members. */
  members(conversationId: string): Promise<Member[]>;
  /** permission conversations.manage: the direct conversation between the bot and a user. */
  direct(userId: string): Promise<Conversation>;
  /** permission conversations.manage: a group owned by the bot. */
  createGroup(title: string, memberIds: readonly string[]): Promise<Conversation>;
  /** permission conversations.manage; the bot must be owner or admin. */
  addMembers(conversationId: string, userIds: readonly string[]): Promise<Conversation>;
  /** permission conversations.manage; the bot must be owner or admin. */
  removeMember(conversationId: string, userId: string): Promise<void>;
}

export interface UsersCapability {
  /** permission users.read. */
  get(userId: string): Promise<PublicUser>;
  /** permission users.read. */
  byHandle(handle: string): Promise<PublicUser>;
  /** permission presence: whether each user is connected to any host now; at most 500 ids, unknown ids are offline. */
  presence(userIds: readonly string[]): Promise<{ userId: string; status: 'online' | 'offline'; lastSeenAt: string | null }[]>;
}

export interface StoredValue<T = unknown> {
  readonly value: T;
  /** Increases by one at every write; pass it back as `ifVersion` for compare-and-set. */
  readonly version: number;
  readonly expiresAt: string | null;
}

/** permission storage: the plugin's own keys, within its quota (scope.quotaBytes). */
export interface StorageCapability {
  get<T = unknown>(key: string): Promise<StoredValue<T> | null>;
  /**
   * Writes a JSON value. `ifVersion: n` writes only if the current version is n, `ifVersion: 0`
   * only if the key is absent; otherwise the write fails with storage_conflict.
   */
  set(key: string, value: unknown, options?: { ttlSeconds?: number; ifVersion?: number }): Promise<{ version: number }>;
  /** Returns whether a key was deleted. `ifVersion` as for set. */
  delete(key: string, options?: { ifVersion?: number }): Promise<boolean>;
  /** Keys starting with `prefix`, in key order; pass `after` (the last key seen) to page. */
  list<T = unknown>(prefix: string, options?: { after?: string; limit?: number }): Promise<{ entries: { key: string; value: T; version: number }[]; hasMore: boolean }>;
  usage(): Promise<{ bytes: number; quotaBytes: number }>;
}

export interface PluginEvents {
  'message.created': { conversationId: string; message: Message };
  'message.updated': { conversationId: string; change: 'edited' | 'deleted' | 'reaction'; message: Message };
  'conversation.member_added': { conversationId: string; userIds: string[] };
  'conversation.member_removed': { conversationId: string; userId: string };
}
export type PluginEventName = keyof PluginEvents;

/**
 * permission events, for the names in scope.events. Only events of conversations the bot
 * belongs to arrive. Handlers run after the change is committed; a throwing handler is logged
 * against the plugin and harms nothing else.
 */
export interface EventsCapability {
  on<E extends PluginEventName>(event: E, handler: (event: PluginEvents[E]) => void | Promise<void>): () => void;
}

export interface BeforeStoreMessage {
  readonly conversationId: string;
  readonly senderId: string;
  readonly content: MessageContent;
  readonly replyToId: string | null;
  /** The message being edited, or null for a new message: hooks see edits too. */
  readonly editOf: string | null;
}

export type HookDecision =
  | { action: 'allow' }
  | { action: 'modify'; content: MessageContent }
  | { action: 'reject'; reason: string };

/**
 * permission hooks, for the hooks the manifest contributes. Hooks run in order before a message
 * is stored, each within its timeoutMs; on a timeout or an error the manifest's failMode decides.
 */
export interface HooksCapability {
  beforeStore(handler: (message: BeforeStoreMessage) => HookDecision | Promise<HookDecision>): void;
}

export interface CommandInvocation {
  readonly command: string;
  /** Arguments by name, as declared in the manifest. */
  readonly args: Readonly<Record<string, string | number>>;
  /** Everything after the command name. */
  readonly text: string;
  readonly conversationId: string;
  readonly userId: string;
  /**
   * The idempotency key the client sent with the command (`idempotencyKey` on the command frame
   * or body), or null. A client resending a command after a lost answer sends the same key;
   * a command that must take effect once (moving money, say) keys its effect on it, per user.
   */
  readonly idempotencyKey: string | null;
}

/** An answer shown only to the user who typed the command. */
export interface CommandReply { text: string }

/** permission commands, for the commands the manifest contributes. */
export interface CommandsCapability {
  handle(name: string, handler: (invocation: CommandInvocation) => CommandReply | void | Promise<CommandReply | void>): void;
}

// ---- interactive messages ---------------------------------------------------

export interface Button {
  /** Comes back in the postback; 1-64 characters. */
  id: string;
  label: string;
  style?: 'primary' | 'secondary' | 'danger';
}

/** Shown under the message; a tap is a postback like a button. */
export interface QuickReply { id: string; label: string }

export interface InteractiveMessage {
  text: string;
  buttons?: Button[];
  quickReplies?: QuickReply[];
}

export interface Postback {
  readonly conversationId: string;
  readonly messageId: string;
  /** The button or quick reply id. */
  readonly buttonId: string;
  /** Who tapped it. */
  readonly userId: string;
}

/**
 * permission interactive. Messages with buttons are sent as the bot with content type
 * "interactive.card"; taps by members come back only to the plugin that sent the message.
 */
export interface InteractiveCapability {
  send(conversationId: string, message: InteractiveMessage, options?: { clientMsgId?: string }): Promise<Message>;
  /** The reply, if any, is shown only to the user who tapped. */
  onPostback(handler: (postback: Postback) => CommandReply | void | Promise<CommandReply | void>): void;
}

// ---- HTTP routes ------------------------------------------------------------

export interface PluginHttpRequest {
  readonly method: string;
  /** Below /plugins/<id>, e.g. "/orders/42". */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, or null when the body is empty or not JSON. */
  readonly body: unknown;
  readonly rawBody: string;
  /** The caller, for routes with auth "user"; null otherwise. */
  readonly user: PublicUser | null;
}

export interface PluginHttpResponse {
  status?: number;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

/**
 * permission http.routes, for the routes the manifest contributes, served at
 * /plugins/<id><path>. Auth is enforced by the host before the handler runs: "user" needs a
 * Switchboard bearer token; "signature" needs the header
 * X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" with the
 * plugin's webhook secret>, at most 5 minutes old.
 */
export interface HttpCapability {
  route(method: PluginHttpRequest['method'], path: string, handler: (request: PluginHttpRequest) => PluginHttpResponse | Promise<PluginHttpResponse>): void;
  /** The plugin's webhook secret (created at install, kept across restarts). */
  webhookSecret(): Promise<string>;
  /** permission http.outbound, for URLs whose host matches scope.hosts. Redirects are not followed. */
  fetch(url: string, request?: OutboundRequest): Promise<OutboundResponse>;
}

/** An outbound HTTP request (http.fetch): only http: and https: URLs. */
export interface OutboundRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; // default GET
  /** Not host, content-length, transfer-encoding or connection; user-agent defaults to Switchboard/<version>. */
  headers?: Record<string, string>;
  /** Sent as is (UTF-8); at most 1 MiB. */
  body?: string;
  /** 1..30000, default 10000: the whole exchange, connect to last byte. */
  timeoutMs?: number;
}

/** Any status (a 3xx is returned, not followed); the body is at most 1 MiB, decoded as UTF-8. */
export interface OutboundResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

// ---- scheduler --------------------------------------------------------------

export interface ScheduledJob {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
  /** When this run was due. */
  readonly runAt: string;
  /** 1 for the first try of this run. */
  readonly attempt: number;
}

export interface ScheduledJobInfo {
  readonly id: string;
  readonly name: string;
  readonly key: string | null;
  readonly runAt: string;
  readonly intervalMs: number | null;
  readonly payload: unknown;
}

/**
 * permission scheduler. Jobs are stored in the database, so they survive restarts; each due run
 * is claimed by one host and runs once (a host that dies mid-run lets another retry it after a
 * lease, so handlers should be idempotent per job id and runAt).
 */
export interface SchedulerCapability {
  /** The handler for a job name; register it in start(). */
  handle(name: string, handler: (job: ScheduledJob) => void | Promise<void>): void;
  /** A one-off job at `at` or after `delayMs`. A `key` makes it idempotent: the same key returns the existing job. */
  schedule(name: string, options: { at?: string | Date; delayMs?: number; payload?: unknown; key?: string }): Promise<ScheduledJobInfo>;
  /** A recurring job, first due after `intervalMs` (at least 1000). */
  every(name: string, intervalMs: number, options?: { payload?: unknown; key?: string }): Promise<ScheduledJobInfo>;
  cancel(jobId: string): Promise<boolean>;
  list(): Promise<ScheduledJobInfo[]>;
}

// ---- services between plugins -------------------------------------------------

/**
 * Service signatures, by "<plugin id>.<name>". A plugin that offers services augments this
 * interface (declaration merging) so that callers get types:
 *   declare module '<sdk>' { interface ServiceMap { 'payments.request': { input: {...}; output: {...} } } }
 */
export interface ServiceMap {}

export interface ServiceCaller { readonly pluginId: string }

export interface ServicesCapability {
  /** Offers a service declared in the manifest's contributes.services; callers reach it as "<id>.<name>". */
  provide(name: string, handler: (input: unknown, caller: ServiceCaller) => unknown | Promise<unknown>): void;
  /** permission services.call with the service in scope.services. Input and output are copied. */
  call<K extends keyof ServiceMap>(service: K, input: ServiceMap[K] extends { input: infer I } ? I : unknown): Promise<ServiceMap[K] extends { output: infer O } ? O : unknown>;
  call<T = unknown>(service: string, input: unknown): Promise<T>;
}

// ---- crypto -------------------------------------------------------------------

/**
 * Hashes and secrets, computed by the host (plugins import only the SDK, and the sandbox has no
 * crypto of its own). Inputs are strings of at most 1 MiB.
 */
export interface CryptoCapability {
  /** Lower-case hex SHA-256 of the UTF-8 text. No permission. */
  sha256(text: string): Promise<string>;
  /** Lower-case hex HMAC-SHA256 of the text under the key. No permission. */
  hmacSha256(key: string, text: string): Promise<string>;
  /** A random UUID (v4). No permission. */
  randomId(): Promise<string>;
  /** permission secrets: an Argon2id hash of a secret (a PIN, a password), to store instead of it. */
  hashSecret(secret: string): Promise<string>;
  /** permission secrets: whether the secret matches a hash from hashSecret (false for a malformed hash). */
  verifySecret(hash: string, secret: string): Promise<boolean>;
}

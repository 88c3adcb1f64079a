import type { Knex } from 'knex';
import type { HostEvent } from '../bus/event-bus.js';
import type { CommandListing, CommandResult } from '../../sdk/protocol/frames.js';
import type { MessageContent } from '../../sdk/protocol/message.js';
import type { CommandReply } from '../../sdk/plugin/capabilities/commands.js';
import type { BeforeStoreMessage } from '../../sdk/plugin/capabilities/hooks.js';
import type { PluginNotification } from '../../sdk/plugin/capabilities/notifications.js';

/**
 * Where the core lets extensions in. messages/ and realtime/ call these interfaces; plugins/
 * implements them (HookChain, CommandRouter, PostbackRouter) and host.ts binds each token to its
 * implementation, so no core folder imports the plugin machinery.
 */

/** Runs before a message is stored: may change its content or refuse it (message_rejected). */
export interface BeforeStoreHooks {
  /** False while no running plugin has a hook: the send path then skips the call entirely. */
  readonly active: boolean;
  run(message: BeforeStoreMessage): Promise<MessageContent>;
}

/** A slash command typed by a member of a conversation, answered by the plugin that owns it. */
export interface CommandDispatch {
  invoke(userId: string, conversationId: string, text: string, idempotencyKey?: string | null): Promise<CommandResult>;
  /** The commands `invoke` would run for this member here; `conversation_not_found` for a non-member. */
  list(userId: string, conversationId: string): Promise<CommandListing[]>;
}

export interface PostbackResult {
  plugin: string;
  reply: CommandReply | null;
}

/** A member's tap on a button of an interactive message, answered by the plugin that sent it. */
export interface PostbackDispatch {
  tap(userId: string, conversationId: string, messageId: string, buttonId: string): Promise<PostbackResult>;
}

/**
 * Committed changes that extensions must each handle once per cluster, and at least once even
 * if this host dies right after the commit. The writer records them in the commit's own
 * transaction (so they exist exactly when the change does) and hands them on once it has
 * committed; plugins/ implements it (PluginEventOutbox).
 */
export interface CommittedEventOutbox {
  /**
   * Inside the committing transaction. Resolves with what `committed` hands on (null: nothing).
   * `trx` is null for new messages the writer committed in one statement, outside a transaction
   * of several; what that statement recorded for the listeners of new messages (see
   * `statementRecording`) comes as `heard`.
   */
  record(
    trx: Knex.Transaction | null,
    events: readonly HostEvent[],
    heard?: HeardInStatement | null,
  ): Promise<OutboxBatch | null>;
  /** The users (plugins' bots) whose membership of a conversation makes its new messages ones to record. */
  newMessageListeners(): readonly NewMessageListener[];
  /**
   * For the writer's short path of new messages (PostgreSQL's one statement, SQLite's synchronous
   * transaction): a data-modifying statement over the relation
   * `heard(event_id, conversation_id, message_id, plugin_ids, ord)` (the new messages that
   * listeners hear, `plugin_ids` their `hearer`s: an array on PostgreSQL, a JSON array's text on
   * SQLite) that records them and returns one row, `seq`, when there were any; `bindings` are its
   * parameters in order. Absent (or null): this outbox records nothing there, and conversations
   * its listeners are members of take the writer's transaction.
   */
  statementRecording?(now: number): StatementRecording | null;
  /** After the commit: hands the recorded events on; never throws. */
  committed(batch: OutboxBatch | null): void;
}

/** A plugin's bot, whose membership of a conversation makes the plugin (`hearer`) hear its new messages. */
export interface NewMessageListener {
  botUserId: string;
  hearer: string;
}

export interface StatementRecording {
  sql: string;
  bindings: readonly unknown[];
}

/** What a one-statement commit recorded: its row `seq`, and each heard message's event id and hearers. */
export interface HeardInStatement {
  seq: number;
  messages: ReadonlyMap<string, { eventId: string; hearers: readonly string[] }>;
}

/** Opaque to the core: what one commit recorded, handed back to `committed`. */
export type OutboxBatch = object;

/**
 * Pushes to a person's browsers on a plugin's behalf (the `notifications.send` capability):
 * push/ implements it, plugins/ calls it, so neither imports the other.
 */
export interface NotificationDispatch {
  /** Queues the push (after the same checks as a message's: away, not muted, outside quiet hours); never waits for it. */
  notify(userId: string, notification: PluginNotification): Promise<void>;
}

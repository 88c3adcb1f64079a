/**
 * The capability object a plugin receives: one per plugin, bound to its identity, limited to
 * the permissions its manifest requested and the operator granted. Every method checks its
 * permission on every call and throws PermissionDeniedError when it is missing.
 *
 * Each capability's types live in their own file under capabilities/; this file composes them
 * and re-exports them, so `sdk/index.ts` (and anything importing this file) sees one surface.
 */
import type { PublicUser } from '../protocol/message.js';
import type { Permission } from './permissions.js';
import type { DatabaseCapability } from './database.js';
import type { MessagesCapability } from './capabilities/messages.js';
import type { ConversationsCapability } from './capabilities/conversations.js';
import type { UsersCapability } from './capabilities/users.js';
import type { StorageCapability } from './capabilities/storage.js';
import type { EventsCapability } from './capabilities/events.js';
import type { HooksCapability } from './capabilities/hooks.js';
import type { CommandsCapability } from './capabilities/commands.js';
import type { InteractiveCapability } from './capabilities/interactive.js';
import type { HttpCapability } from './capabilities/http.js';
import type { SchedulerCapability } from './capabilities/scheduler.js';
import type { ServicesCapability } from './capabilities/services.js';
import type { CryptoCapability } from './capabilities/crypto.js';
import type { MetricsCapability } from './capabilities/metrics.js';
import type { AttachmentsCapability } from './capabilities/attachments.js';
import type { NotificationsCapability } from './capabilities/notifications.js';

export type * from './capabilities/messages.js';
export type * from './capabilities/conversations.js';
export type * from './capabilities/users.js';
export type * from './capabilities/storage.js';
export type * from './capabilities/events.js';
export type * from './capabilities/hooks.js';
export type * from './capabilities/commands.js';
export type * from './capabilities/interactive.js';
export type * from './capabilities/http.js';
export type * from './capabilities/scheduler.js';
export type * from './capabilities/services.js';
export type * from './capabilities/crypto.js';
export type * from './capabilities/metrics.js';
export type * from './capabilities/attachments.js';
export type * from './capabilities/notifications.js';

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
  readonly metrics: MetricsCapability;
  readonly attachments: AttachmentsCapability;
  readonly notifications: NotificationsCapability;
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

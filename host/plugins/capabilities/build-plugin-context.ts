import type { PluginContext } from '../../../sdk/plugin/plugin-context.js';
import type { PublicUser } from '../../../sdk/protocol/message.js';
import type { Permission } from '../../../sdk/plugin/permissions.js';
import type { PluginRecord } from '../plugin-record.js';
import type { PluginServices } from '../plugin-services.js';
import { CapabilityGuard } from './capability-guard.js';
import { conversationsCapability, usersCapability } from './messaging-capabilities.js';
import { messagesCapability } from './messages-capability.js';
import { storageCapability } from './storage-capability.js';
import { databaseCapability, pluginSchema } from './database-capability.js';
import type { PluginMigrationContext } from '../../../sdk/plugin/define-plugin.js';
import { commandsCapability, eventsCapability, hooksCapability } from './handler-capabilities.js';
import { interactiveCapability } from './interactive-capability.js';
import { httpCapability } from './http-capability.js';
import { schedulerCapability } from './scheduler-capability.js';
import { servicesCapability } from './services-capability.js';
import { cryptoCapability } from './crypto-capability.js';
import { metricsCapability } from './metrics-capability.js';
import { notificationsCapability } from './notifications-capability.js';
import { attachmentsCapability } from './attachments-capability.js';
import { deepFreeze } from '../deep-freeze.js';

/**
 * A fresh capability object for one run of one plugin (VS Code builds one API object per
 * extension the same way). It closes over the plugin's identity; nothing in it reaches the
 * container or other host internals, and it is frozen so a plugin cannot swap its parts.
 */
export function buildPluginContext(record: PluginRecord, bot: PublicUser, services: PluginServices): PluginContext {
  const guard = new CapabilityGuard(record, record.generation, services.audit);
  const granted = [...record.granted.keys()];
  const refused = [...record.refused];
  const context: PluginContext = {
    plugin: Object.freeze({ id: record.id, version: record.manifest!.version }),
    self: Object.freeze({ ...bot }),
    permissions: Object.freeze({
      granted: Object.freeze(granted),
      refused: Object.freeze(refused),
      has: (p: Permission) => record.granted.has(p),
    }),
    settings: deepFreeze(structuredClone(record.settings)),
    log: Object.freeze(services.logs.loggerFor(record.id)),
    messages: Object.freeze(messagesCapability(guard, bot.id, services.messages, services.pins)),
    conversations: Object.freeze(conversationsCapability(guard, bot.id, services.conversations, services.groups)),
    users: Object.freeze(usersCapability(guard, services.users, services.presence)),
    storage: Object.freeze(storageCapability(guard, services.storage)),
    database: Object.freeze(databaseCapability(guard, services.database, services.audit)),
    events: Object.freeze(eventsCapability(guard, record)),
    hooks: Object.freeze(hooksCapability(guard, record)),
    commands: Object.freeze(commandsCapability(guard, record)),
    interactive: Object.freeze(interactiveCapability(guard, record, services)),
    http: Object.freeze(httpCapability(guard, record, services)),
    scheduler: Object.freeze(schedulerCapability(guard, record, services)),
    services: Object.freeze(servicesCapability(guard, record, services)),
    crypto: Object.freeze(cryptoCapability(guard)),
    metrics: Object.freeze(metricsCapability(guard, services.metrics, services.logs.loggerFor(record.id))),
    notifications: Object.freeze(notificationsCapability(guard, bot.id, services.db, services.notifications)),
    attachments: Object.freeze(attachmentsCapability(guard, bot.id, services.attachments)),
  };
  return Object.freeze(context);
}

/** The context a migration runs with: the plugin's own, plus its schema. */
export function buildMigrationContext(
  context: PluginContext,
  record: PluginRecord,
  services: PluginServices,
  created: string[],
): PluginMigrationContext {
  const guard = new CapabilityGuard(record, record.generation, services.audit);
  return Object.freeze({ ...context, schema: pluginSchema(guard, services.database, services.audit, created) });
}

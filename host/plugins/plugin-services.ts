import type { UserService } from '../auth/user-service.js';
import type { ConversationService } from '../conversations/conversation-service.js';
import type { GroupService } from '../conversations/group-service.js';
import type { MessageService } from '../messages/message-service.js';
import type { PinService } from '../messages/pin-service.js';
import type { AuditLog } from './audit-log.js';
import type { PluginLogs } from './plugin-logs.js';
import type { PluginStorage } from './plugin-storage.js';
import type { PluginJobStore } from './plugin-job-store.js';
import type { ServiceRegistry } from './service-registry.js';
import type { Database } from '../db/open-database.js';
import type { PluginDatabase } from './database/plugin-database.js';
import type { Presence } from '../realtime/presence.js';
import type { PluginMetrics } from '../metrics/plugin-metrics.js';
import type { NotificationDispatch } from '../core/extension-points.js';
import type { AttachmentService } from '../attachments/attachment-service.js';
import type { OutboundPools } from './capabilities/outbound-pool.js';

/** The host services capability objects call on a plugin's behalf. */
export interface PluginServices {
  messages: MessageService;
  pins: PinService;
  conversations: ConversationService;
  groups: GroupService;
  users: UserService;
  storage: PluginStorage;
  audit: AuditLog;
  logs: PluginLogs;
  scheduler: PluginJobStore;
  serviceRegistry: ServiceRegistry;
  db: Database;
  database: PluginDatabase;
  presence: Presence;
  metrics: PluginMetrics;
  /** Web Push on a plugin's behalf (push/ implements it). */
  notifications: NotificationDispatch;
  /** Uploads and reads as the plugin's bot (part A2). */
  attachments: AttachmentService;
  /** Each plugin's outbound connections and requests in flight (http.fetch). */
  outbound: OutboundPools;
}

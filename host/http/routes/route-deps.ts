import type { HostConfig } from '../../config/host-config.js';
import type { TokenService } from '../../auth/token-service.js';
import type { UserService } from '../../auth/user-service.js';
import type { AccountAdmin } from '../../auth/account-admin.js';
import type { ConversationService } from '../../conversations/conversation-service.js';
import type { GroupService } from '../../conversations/group-service.js';
import type { MessageService } from '../../messages/message-service.js';
import type { AuditLog } from '../../plugins/audit-log.js';
import type { CommandDispatch, PostbackDispatch } from '../../core/extension-points.js';
import type { PluginKernel } from '../../plugins/plugin-kernel.js';
import type { PluginLogs } from '../../plugins/plugin-logs.js';
import type { PluginRegistry } from '../../plugins/plugin-registry.js';
import type { PluginHttpRouter } from '../plugin-http-router.js';
import type { LimiterStore } from '../limiter-store.js';
import type { SandboxHost } from '../../sandbox/sandbox-host.js';
import type { HostMetrics } from '../../metrics/host-metrics.js';

/** What the HTTP routes call; resolved from the container by the host. */
export interface RouteDeps {
  config: HostConfig;
  adminToken: string;
  /** Where request and login limits count (shared by the hosts of a bus). */
  limiters: LimiterStore;
  tokens: TokenService;
  users: UserService;
  /** The admin users API. */
  accounts: AccountAdmin;
  conversations: ConversationService;
  groups: GroupService;
  messages: MessageService;
  commands: CommandDispatch;
  postbacks: PostbackDispatch;
  pluginRoutes: PluginHttpRouter;
  plugins: { kernel: PluginKernel; registry: PluginRegistry; logs: PluginLogs; audit: AuditLog; sandbox: SandboxHost };
  isReady(): Promise<boolean>;
  /** Served at /metrics when config.metrics.token is set. */
  metrics: HostMetrics;
  /** Set when events cross hosts: whether the bus reaches the others now. */
  busConnected?(): boolean;
}

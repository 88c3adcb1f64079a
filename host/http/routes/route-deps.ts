import type { HostConfig } from '../../config/host-config.js';
import type { TokenService } from '../../auth/token-service.js';
import type { UserService } from '../../auth/user-service.js';
import type { AccountAdmin } from '../../auth/account-admin.js';
import type { ProfileService } from '../../auth/profile-service.js';
import type { ConversationService } from '../../conversations/conversation-service.js';
import type { GroupService } from '../../conversations/group-service.js';
import type { MessageService } from '../../messages/message-service.js';
import type { PinService } from '../../messages/pin-service.js';
import type { ReportService } from '../../reports/report-service.js';
import type { ReportReview } from '../../reports/report-review.js';
import type { PushApi } from '../../push/push-api.js';
import type { ThreadService } from '../../messages/thread-service.js';
import type { MuteService } from '../../conversations/mute-service.js';
import type { BlockService } from '../../conversations/block-service.js';
import type { ArchiveService } from '../../conversations/archive-service.js';
import type { MentionAllSetting } from '../../conversations/mention-all-setting.js';
import type { AttachmentService } from '../../attachments/attachment-service.js';
import type { MessageSearch } from '../../search/message-search.js';
import type { LinkPreviews } from '../../link-previews/link-previews.js';
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
  /** The caller's display name and avatar, and avatars by hash (part A2). */
  profiles: ProfileService;
  conversations: ConversationService;
  groups: GroupService;
  messages: MessageService;
  pins: PinService;
  /** Reports of abuse: people's side, and the operator's queue. */
  reports: ReportService;
  reportReview: ReportReview;
  /** Web Push: the VAPID key, subscriptions, quiet hours. */
  push: PushApi;
  threads: ThreadService;
  mutes: MuteService;
  /** Whom each user blocks. */
  blocks: BlockService;
  archives: ArchiveService;
  mentionAll: MentionAllSetting;
  /** Uploads, their metadata and file URLs (part A). */
  attachments: AttachmentService;
  search: MessageSearch;
  /** Previews of the pages messages link to. */
  linkPreviews: LinkPreviews;
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

import type { DependencyContainer } from 'tsyringe';
import type Koa from 'koa';
import { Tokens } from './core/container-tokens.js';
import type { HostConfig } from './config/host-config.js';
import type { Database } from './db/open-database.js';
import type { Logger } from './logging/logger.js';
import type { LimiterStore } from './http/limiter-store.js';
import { createHttpApp } from './http/http-app.js';
import { TokenService } from './auth/token-service.js';
import { UserService } from './auth/user-service.js';
import { AccountAdmin } from './auth/account-admin.js';
import { ProfileService } from './auth/profile-service.js';
import { ConversationService } from './conversations/conversation-service.js';
import { PinService } from './messages/pin-service.js';
import { ReportService } from './reports/report-service.js';
import { ReportReview } from './reports/report-review.js';
import { GroupService } from './conversations/group-service.js';
import { MessageService } from './messages/message-service.js';
import { PushApi } from './push/push-api.js';
import { ThreadService } from './messages/thread-service.js';
import { MuteService } from './conversations/mute-service.js';
import { BlockService } from './conversations/block-service.js';
import { ArchiveService } from './conversations/archive-service.js';
import { MentionAllSetting } from './conversations/mention-all-setting.js';
import { AttachmentService } from './attachments/attachment-service.js';
import { MessageSearch } from './search/message-search.js';
import { LinkPreviews } from './link-previews/link-previews.js';
import { AuditLog } from './plugins/audit-log.js';
import { CommandRouter } from './plugins/command-router.js';
import { PluginKernel } from './plugins/plugin-kernel.js';
import { PluginLogs } from './plugins/plugin-logs.js';
import { PluginRegistry } from './plugins/plugin-registry.js';
import type { PostbackRouter } from './plugins/postback-router.js';
import { SandboxHost } from './sandbox/sandbox-host.js';
import { PluginHttpRouter } from './http/plugin-http-router.js';

/**
 * The HTTP app with the container's services behind its routes. `isStarted` is false until the
 * host listens, so `/readyz` says so while it starts.
 */
export function wireHttpApp(
  services: DependencyContainer,
  host: {
    config: HostConfig;
    adminToken: string;
    limiters: LimiterStore;
    db: Database;
    /** Resolved before the plugins start: it registers the type they may send at once. */
    postbacks: PostbackRouter;
    isStarted: () => boolean;
  },
  log: Logger,
): Koa {
  const bus = services.resolve(Tokens.EventBus);
  const { config, adminToken, limiters, db } = host;
  return createHttpApp(
    {
      config,
      adminToken,
      limiters,
      tokens: services.resolve(TokenService),
      users: services.resolve(UserService),
      accounts: services.resolve(AccountAdmin),
      profiles: services.resolve(ProfileService),
      conversations: services.resolve(ConversationService),
      groups: services.resolve(GroupService),
      messages: services.resolve(MessageService),
      pins: services.resolve(PinService),
      reports: services.resolve(ReportService),
      reportReview: services.resolve(ReportReview),
      push: services.resolve(PushApi),
      threads: services.resolve(ThreadService),
      mutes: services.resolve(MuteService),
      blocks: services.resolve(BlockService),
      archives: services.resolve(ArchiveService),
      mentionAll: services.resolve(MentionAllSetting),
      attachments: services.resolve(AttachmentService),
      search: services.resolve(MessageSearch),
      linkPreviews: new LinkPreviews(
        config.linkPreviews,
        { maxPixels: config.attachments.maxImagePixels },
        services.resolve(Tokens.Metrics).linkPreviews,
      ),
      commands: services.resolve(CommandRouter),
      postbacks: host.postbacks,
      pluginRoutes: services.resolve(PluginHttpRouter),
      plugins: {
        kernel: services.resolve(PluginKernel),
        registry: services.resolve(PluginRegistry),
        logs: services.resolve(PluginLogs),
        audit: services.resolve(AuditLog),
        sandbox: services.resolve(SandboxHost),
      },
      busConnected: bus.isConnected?.bind(bus),
      metrics: services.resolve(Tokens.Metrics),
      isReady: async () =>
        host.isStarted() &&
        (await db.knex.raw('select 1').then(
          () => true,
          () => false,
        )),
    },
    log,
  );
}

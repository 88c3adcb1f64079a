/**
 * The host's dependency container: the services and what replaces them (HostOptions), the event
 * bus chosen by the configuration, and the singletons every host holds.
 */
import { randomUUID } from 'node:crypto';
import { container as rootContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import { Tokens } from './core/container-tokens.js';
import type { HostConfig } from './config/host-config.js';
import { databaseKindOf, type Database } from './db/open-database.js';
import { InProcessEventBus } from './bus/in-process-event-bus.js';
import { RedisEventBus } from './bus/redis-event-bus.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';
import type { EventBus } from './bus/event-bus.js';
import { systemClock, type Clock } from './core/clock.js';
import { BlobStoreToken, type BlobStore } from './attachments/blob-store.js';
import { CachedBlobStore } from './attachments/cached-blob-store.js';
import { defaultBlobStore } from './attachments/default-blob-store.js';
import { AttachmentService } from './attachments/attachment-service.js';
import { AttachmentSweep } from './attachments/attachment-sweep.js';
import { BlobRegistry } from './attachments/blob-registry.js';
import { FileRowCache } from './attachments/file-row-cache.js';
import { FileUrls } from './attachments/file-urls.js';
import type { Logger } from './logging/logger.js';
import { HostMetrics } from './metrics/host-metrics.js';
import { TokenService } from './auth/token-service.js';
import { UserService } from './auth/user-service.js';
import { ConversationService } from './conversations/conversation-service.js';
import { ConversationWriter } from './conversations/conversation-writer.js';
import { PinService } from './messages/pin-service.js';
import { ReportService } from './reports/report-service.js';
import { ReportReview } from './reports/report-review.js';
import { GroupService } from './conversations/group-service.js';
import { MessageService } from './messages/message-service.js';
import { MessageStore } from './messages/message-store.js';
import { MessageTypeRegistry, type MessageTypeDefinition } from './messages/message-type-registry.js';
import { CatchUpReader } from './realtime/catch-up-reader.js';
import { ChangeStream } from './realtime/change-stream.js';
import { ConnectionRegistry } from './realtime/connection-registry.js';
import { Delivery } from './realtime/delivery.js';
import { FrameRouter } from './realtime/frame-router.js';
import { Gateway } from './realtime/gateway.js';
import { MemberDirectory } from './conversations/member-directory.js';
import { Presence } from './realtime/presence.js';
import { AuditLog } from './plugins/audit-log.js';
import { CommandRouter } from './plugins/command-router.js';
import { HookChain } from './plugins/hook-chain.js';
import { PluginEventOutbox } from './plugins/plugin-event-outbox.js';
import { PushDispatcher } from './push/push-dispatcher.js';
import { ThreadUnreadNotifier } from './threads/thread-unread-notifier.js';
import { PushApi } from './push/push-api.js';
import { CommittedEventFanout } from './core/committed-event-fanout.js';
import { SearchSegmentBuilder } from './search/search-segment-builder.js';
import { SearchIndexerToken } from './search/search-indexer.js';
import { SqliteSearchIndexer } from './search/sqlite-search-indexer.js';
import { PluginInstaller } from './plugins/plugin-installer.js';
import { PluginKernel } from './plugins/plugin-kernel.js';
import { SandboxHost } from './sandbox/sandbox-host.js';
import { PluginLogs } from './plugins/plugin-logs.js';
import { PluginRegistry } from './plugins/plugin-registry.js';
import { OutboundPools } from './plugins/capabilities/outbound-pool.js';
import { PluginStorage } from './plugins/plugin-storage.js';
import { PluginDatabase } from './plugins/database/plugin-database.js';
import { PluginJobStore } from './plugins/plugin-job-store.js';
import { PluginScheduler } from './plugins/plugin-scheduler.js';
import { PluginHttpRouter } from './http/plugin-http-router.js';
import { ServiceRegistry } from './plugins/service-registry.js';
import { PostbackRouter } from './plugins/postback-router.js';

/**
 * The services a deployment or a test replaces. Each has a default that a single host on its own
 * uses; a host among several passes an event bus that carries events between them.
 */
export interface HostOptions {
  /** Structured message types to accept, keyed by type name (plugins register theirs too). */
  messageTypes?: Record<string, MessageTypeDefinition>;
  logger?: Logger;
  /**
   * How events reach the other hosts (and this one). Default: Redis when `bus.url` is set, else
   * in-process, for a single host. Built with the host's logger, id (a bus between hosts skips
   * its own events by it) and metrics (where it records its lag); the host calls its `close()`, if any, on stop.
   */
  eventBus?: (log: Logger, hostId: string, metrics: HostMetrics) => EventBus;
  /** What "now" is for expiries, timestamps and schedules. Default: the system clock. */
  clock?: Clock;
  /**
   * Where attachment bytes are kept. Default: a directory (`attachments.dir`) on SQLite, the
   * database itself on PostgreSQL (see blob-store.ts and docs/operators.md).
   */
  blobStore?: (db: Database, config: HostConfig) => BlobStore;
}

const singletons = [
  UserService,
  TokenService,
  ConversationWriter,
  MessageStore,
  MessageService,
  PinService,
  ReportService,
  ReportReview,
  ConversationService,
  GroupService,
  ConnectionRegistry,
  MemberDirectory,
  CatchUpReader,
  ChangeStream,
  Presence,
  Delivery,
  FrameRouter,
  Gateway,
  PluginRegistry,
  PluginLogs,
  AuditLog,
  PluginStorage,
  PluginDatabase,
  HookChain,
  CommandRouter,
  PluginEventOutbox,
  PluginJobStore,
  PluginScheduler,
  PluginHttpRouter,
  ServiceRegistry,
  PostbackRouter,
  OutboundPools,
  PluginInstaller,
  SandboxHost,
  PluginKernel,
  PushDispatcher,
  PushApi,
  ThreadUnreadNotifier,
  BlobRegistry,
  FileUrls,
  FileRowCache,
  AttachmentService,
  AttachmentSweep,
  SearchSegmentBuilder,
  SqliteSearchIndexer,
] as const;

/**
 * With `bus.url`, events cross hosts through Redis. Several hosts only make sense on one shared
 * PostgreSQL database: an SQLite file belongs to one host, so that setup is refused before
 * anything opens.
 */
export function clusterBus(config: HostConfig): HostOptions['eventBus'] {
  const { url, prefix } = config.bus;
  if (url === undefined) return undefined;
  if (databaseKindOf(config.database.url) === 'sqlite') throw new SwitchboardError('bus_requires_postgres');
  return (log, hostId, metrics) => new RedisEventBus({ url, prefix, hostId, log, metrics });
}

/** The host's services over an open database (also used by `npm run migrate` for plugin migrations). */
export function buildContainer(
  config: HostConfig,
  db: Database,
  log: Logger,
  options: HostOptions = {},
): DependencyContainer {
  const di = rootContainer.createChildContainer();
  di.register(Tokens.Config, { useValue: config });
  di.register(Tokens.Database, { useValue: db });
  di.register(Tokens.Logger, { useValue: log });
  const hostId = randomUUID();
  di.register(Tokens.HostId, { useValue: hostId });
  const metrics = new HostMetrics({ processMetrics: config.metrics.token !== undefined, knex: db.knex });
  di.register(Tokens.Metrics, { useValue: metrics });
  di.register(Tokens.EventBus, { useValue: options.eventBus?.(log, hostId, metrics) ?? new InProcessEventBus(log) });
  di.register(Tokens.Clock, { useValue: options.clock ?? systemClock });
  const blobs = (options.blobStore ?? defaultBlobStore)(db, config);
  di.register(BlobStoreToken, { useValue: CachedBlobStore.over(blobs, config.attachments.cache) });
  // The core's extension points, implemented by the plugin machinery.
  di.register(Tokens.BeforeStoreHooks, { useToken: HookChain });
  di.register(Tokens.Commands, { useToken: CommandRouter });
  di.register(Tokens.Postbacks, { useToken: PostbackRouter });
  // Committed events go to plugins (recorded, at least once), to Web Push and to thread followers'
  // counts (this host's queues) and to the search indexer of the database's kind.
  di.register(SearchIndexerToken, {
    useFactory: instanceCachingFactory((c) =>
      db.kind === 'postgres' ? c.resolve(SearchSegmentBuilder) : c.resolve(SqliteSearchIndexer),
    ),
  });
  di.register(Tokens.Outbox, {
    useFactory: instanceCachingFactory(
      (c) =>
        new CommittedEventFanout([
          c.resolve(PluginEventOutbox),
          c.resolve(PushDispatcher),
          c.resolve(ThreadUnreadNotifier),
          c.resolve(SearchIndexerToken),
        ]),
    ),
  });
  di.register(Tokens.Notifications, { useToken: PushDispatcher });
  di.register(MessageTypeRegistry, {
    useValue: new MessageTypeRegistry(config.messages.maxBodyBytes, options.messageTypes),
  });
  for (const cls of singletons) di.registerSingleton(cls as never);
  return di;
}

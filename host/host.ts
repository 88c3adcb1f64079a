import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { Tokens } from './core/container-tokens.js';
import type { HostConfig } from './config/host-config.js';
import { databaseKindOf, openDatabase, type Database } from './db/open-database.js';
import { runMigrations } from './db/run-migrations.js';
import { backupSqlite } from './db/backup.js';
import { InProcessEventBus } from './bus/in-process-event-bus.js';
import { RedisEventBus } from './bus/redis-event-bus.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';
import type { EventBus } from './bus/event-bus.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './logging/logger.js';
import { HostMetrics } from './metrics/host-metrics.js';
import { runtimeInfo, sandboxRuntimeError } from './runtime/node-runtime.js';
import { TokenService } from './auth/token-service.js';
import { UserService } from './auth/user-service.js';
import { ConversationService } from './conversations/conversation-service.js';
import { ConversationWriter } from './conversations/conversation-writer.js';
import { GroupService } from './conversations/group-service.js';
import { MessageService } from './messages/message-service.js';
import { MessageStore } from './messages/message-store.js';
import { MessageTypeRegistry, type MessageTypeDefinition } from './messages/message-type-registry.js';
import { ChangeStream } from './realtime/change-stream.js';
import { ConnectionRegistry } from './realtime/connection-registry.js';
import { Delivery } from './realtime/delivery.js';
import { FrameRouter } from './realtime/frame-router.js';
import { Gateway, WS_PATH } from './realtime/gateway.js';
import { MemberDirectory } from './conversations/member-directory.js';
import { Presence } from './realtime/presence.js';
import { wireHttpApp } from './http-app-wiring.js';
import { limiterStoreFor } from './http/redis-limiter-store.js';
import { drainHttp, listen } from './http/http-server.js';
import { resolveAdminToken } from './admin-token.js';
import { AuditLog } from './plugins/audit-log.js';
import { CommandRouter } from './plugins/command-router.js';
import { HookChain } from './plugins/hook-chain.js';
import { PluginEventOutbox } from './plugins/plugin-event-outbox.js';
import { PluginInstaller } from './plugins/plugin-installer.js';
import { PluginKernel } from './plugins/plugin-kernel.js';
import { SandboxHost } from './sandbox/sandbox-host.js';
import { PluginLogs } from './plugins/plugin-logs.js';
import { PluginRegistry } from './plugins/plugin-registry.js';
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
}

export interface RunningHost {
  readonly port: number;
  readonly url: string;
  readonly wsUrl: string;
  readonly adminToken: string;
  readonly adminTokenFile: string | null;
  /** Graceful stop: refuse new work, close sockets with 1001, flush pending writes, close the database. */
  stop(): Promise<void>;
  /** SQLite: writes a consistent copy of the database to `file` while the host runs (`npm run backup`). */
  backup(file: string): Promise<{ file: string; bytes: number }>;
}

const singletons = [
  UserService,
  TokenService,
  ConversationWriter,
  MessageStore,
  MessageService,
  ConversationService,
  GroupService,
  ConnectionRegistry,
  MemberDirectory,
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
  PluginInstaller,
  SandboxHost,
  PluginKernel,
] as const;

/**
 * Starts a host: database, migrations, services, HTTP and WebSocket. Either everything starts
 * or nothing stays running (no half-started host).
 */
export async function startHost(config: HostConfig, options: HostOptions = {}): Promise<RunningHost> {
  const log = options.logger ?? createLogger(config.log);
  // The configuration is refused (SQLite with bus.url) even when a test or embedder brings its own bus.
  const configuredBus = clusterBus(config);
  const eventBus = options.eventBus ?? configuredBus;
  // The host has no clock of its own to inject: the wall clock decides whether this Node is past its end of life.
  const runtimeRefusal = sandboxRuntimeError(new Date());
  if (runtimeRefusal)
    log.warn(
      { runtime: runtimeInfo(), code: runtimeRefusal.code },
      `sandboxed apps will be refused: ${runtimeRefusal.message}`,
    );
  const { token: adminToken, file: adminTokenFile } = resolveAdminToken(config);
  const db = await openDatabase(config.database, { logger: log });
  let server: Server | null = null;
  let di: DependencyContainer | null = null;
  const limiters = limiterStoreFor(config, log);
  try {
    const applied = await runMigrations(db.knex);
    if (applied.length > 0) log.info({ migrations: applied }, 'migrations applied');
    const services = (di = buildContainer(config, db, log, { ...options, eventBus }));
    const bus = services.resolve(Tokens.EventBus);
    let ready = false;
    services.resolve(Delivery).start();
    services.resolve(Presence).start();
    // Registers the "interactive.card" type, which plugins may send as soon as they start.
    const postbacks = services.resolve(PostbackRouter);
    await services.resolve(PluginKernel).startAll();
    services.resolve(PluginScheduler).start();
    services.resolve(PluginEventOutbox).start();
    const app = wireHttpApp(services, { config, adminToken, limiters, db, postbacks, isStarted: () => ready }, log);
    server = createServer(app.callback());
    server.headersTimeout = 20_000;
    server.requestTimeout = 30_000;
    const gateway = services.resolve(Gateway);
    gateway.attach(server);
    await listen(server, config.server.host, config.server.port);
    ready = true;
    const port = (server.address() as AddressInfo).port;
    const shownHost =
      config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
    const url = `http://${shownHost}:${port}`;
    log.info(
      {
        port,
        url,
        database: db.kind,
        location: db.location,
        ws: `ws://${shownHost}:${port}${WS_PATH}`,
        runtime: runtimeInfo(),
      },
      'listening',
    );
    const httpServer = server;
    let stopping: Promise<void> | null = null;
    return {
      port,
      url,
      wsUrl: `ws://${shownHost}:${port}${WS_PATH}`,
      adminToken,
      adminTokenFile,
      backup: (file) => backupSqlite(db, file),
      stop: () =>
        (stopping ??= (async () => {
          ready = false;
          // No new connections; sockets get 1001 and reconnect elsewhere.
          const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
          await gateway.close();
          // Requests already running get server.shutdownGraceMs to finish, then are cut off.
          await drainHttp(httpServer, closed, config.server.shutdownGraceMs);
          await closed;
          await limiters.close();
          await services.resolve(PluginScheduler).stop();
          // Events committed from here on stay in the outbox for another host (or the next start).
          await services.resolve(PluginEventOutbox).stop();
          await services.resolve(PluginKernel).stopAll();
          await services.resolve(SandboxHost).close();
          // Everything queued is committed (and so acknowledged) before the database closes.
          await services.resolve(ConversationWriter).stop();
          services.resolve(Delivery).stop();
          services.resolve(Presence).stop();
          await bus.close?.();
          await db.close();
          log.info('stopped');
        })()),
    };
  } catch (err) {
    // Nothing of a failed start stays behind: no socket, timer, subscription or connection.
    // A cleanup step that fails is passed over: the start's own error, rethrown below, is the one
    // to report, and a second failure while closing what did open would only hide it.
    const settle = (closing: Promise<unknown> | undefined): Promise<unknown> | undefined => closing?.catch(() => {});
    server?.close();
    if (di) {
      await settle(di.resolve(Gateway).close());
      di.resolve(Delivery).stop();
      di.resolve(Presence).stop();
      await settle(di.resolve(PluginScheduler).stop());
      await settle(di.resolve(PluginEventOutbox).stop());
      await settle(di.resolve(PluginKernel).stopAll());
      await settle(di.resolve(SandboxHost).close());
      await settle(di.resolve(Tokens.EventBus).close?.());
    }
    await settle(limiters.close());
    await settle(db.close());
    throw err;
  }
}

/**
 * With `bus.url`, events cross hosts through Redis. Several hosts only make sense on one shared
 * PostgreSQL database: an SQLite file belongs to one host, so that setup is refused before
 * anything opens.
 */
function clusterBus(config: HostConfig): HostOptions['eventBus'] {
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
  // The core's extension points, implemented by the plugin machinery.
  di.register(Tokens.BeforeStoreHooks, { useToken: HookChain });
  di.register(Tokens.Commands, { useToken: CommandRouter });
  di.register(Tokens.Postbacks, { useToken: PostbackRouter });
  di.register(Tokens.Outbox, { useToken: PluginEventOutbox });
  di.register(MessageTypeRegistry, {
    useValue: new MessageTypeRegistry(config.messages.maxBodyBytes, options.messageTypes),
  });
  for (const cls of singletons) di.registerSingleton(cls as never);
  return di;
}

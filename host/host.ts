import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DependencyContainer } from 'tsyringe';
import { Tokens } from './core/container-tokens.js';
import type { HostConfig } from './config/host-config.js';
import { openDatabase } from './db/open-database.js';
import { runMigrations } from './db/run-migrations.js';
import { backupSqlite } from './db/backup.js';
import { AttachmentSweep } from './attachments/attachment-sweep.js';
import { SearchIndexerToken } from './search/search-indexer.js';
import { createLogger } from './logging/logger.js';
import { runtimeInfo, sandboxRuntimeError } from './runtime/node-runtime.js';
import { ConversationWriter } from './conversations/conversation-writer.js';
import { Delivery } from './realtime/delivery.js';
import { Gateway, WS_PATH } from './realtime/gateway.js';
import { Presence } from './realtime/presence.js';
import { wireHttpApp } from './http-app-wiring.js';
import { limiterStoreFor } from './http/redis-limiter-store.js';
import { drainHttp, listen } from './http/http-server.js';
import { resolveAdminToken } from './admin-token.js';
import { AuditLog } from './plugins/audit-log.js';
import { PluginEventOutbox } from './plugins/plugin-event-outbox.js';
import { PushDispatcher } from './push/push-dispatcher.js';
import { ThreadUnreadNotifier } from './threads/thread-unread-notifier.js';
import { PluginKernel } from './plugins/plugin-kernel.js';
import { SandboxHost } from './sandbox/sandbox-host.js';
import { PluginScheduler } from './plugins/plugin-scheduler.js';
import { PostbackRouter } from './plugins/postback-router.js';
import { buildContainer, clusterBus, type HostOptions } from './host-container.js';

export { buildContainer, type HostOptions } from './host-container.js';

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
    await services.resolve(PushDispatcher).start();
    // Registers the "interactive.card" type, which plugins may send as soon as they start.
    const postbacks = services.resolve(PostbackRouter);
    await services.resolve(PluginKernel).startAll();
    services.resolve(PluginScheduler).start();
    services.resolve(PluginEventOutbox).start();
    services.resolve(AttachmentSweep).start();
    services.resolve(SearchIndexerToken).start();
    const app = wireHttpApp(services, { config, adminToken, limiters, db, postbacks, isStarted: () => ready }, log);
    server = createServer(app.callback());
    server.headersTimeout = 20_000;
    server.requestTimeout = 30_000;
    server.keepAliveTimeout = config.server.keepAliveTimeoutMs;
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
          // No new connections. Frames and requests already taken get server.shutdownGraceMs to be
          // answered, then sockets get 1001 (and reconnect elsewhere) and requests are cut off.
          const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
          const grace = config.server.shutdownGraceMs;
          await Promise.all([gateway.close(grace), drainHttp(httpServer, closed, grace)]);
          await closed;
          await limiters.close();
          await services.resolve(PluginScheduler).stop();
          // Events committed from here on stay in the outbox for another host (or the next start).
          await services.resolve(PluginEventOutbox).stop();
          await services.resolve(AttachmentSweep).stop();
          await services.resolve(PluginKernel).stopAll();
          await services.resolve(SandboxHost).close();
          await services.resolve(AuditLog).stop();
          // Everything queued is committed (and so acknowledged) before the database closes.
          await services.resolve(ConversationWriter).stop();
          await services.resolve(PushDispatcher).stop();
          await services.resolve(ThreadUnreadNotifier).stop();
          await services.resolve(SearchIndexerToken).stop();
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
      await settle(di.resolve(AttachmentSweep).stop());
      await settle(di.resolve(PluginKernel).stopAll());
      await settle(di.resolve(SandboxHost).close());
      await settle(di.resolve(AuditLog).stop());
      await settle(di.resolve(PushDispatcher).stop());
      await settle(di.resolve(ThreadUnreadNotifier).stop());
      await settle(di.resolve(SearchIndexerToken).stop());
      await settle(di.resolve(Tokens.EventBus).close?.());
    }
    await settle(limiters.close());
    await settle(db.close());
    throw err;
  }
}

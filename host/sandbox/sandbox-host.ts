import { inject, injectable } from 'tsyringe';
import { appRestarting } from '../../sdk/errors/app-restarting.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PluginDefinition } from '../../sdk/plugin/define-plugin.js';
import { PluginError } from '../../sdk/plugin/plugin-error.js';
import type { PluginContext } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig, SandboxConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { sandboxRuntimeError } from '../runtime/node-runtime.js';
import { loadAppCode } from './app-code.js';
import { AppHealthBook, type AppHealth } from './app-health.js';
import { AppSupervisor, WORKER_FAILURES } from './app-supervisor.js';
import { CapabilityBridge } from './capability-bridge.js';
import { effectiveLimits } from './effective-limits.js';
import type { SandboxKernelHooks, SandboxedApp } from './kernel-port.js';
import { dispatchTo, handles, isLogLevel, type AppBoot, type AppNotice, type Handlers } from './rpc-protocol.js';
import { RunningApps, type RunningApp } from './running-apps.js';
import { WorkerPool } from './worker-pool.js';
import { WorkerReplyError, type WorkerHandle } from './worker-handle.js';
import { errorFromWire, readRefusal, toWireError } from './wire-error.js';

const LOAD_MS = 15_000;

/**
 * Runs sandboxed apps for the plugin kernel: each in an isolate in a worker process of the pool
 * (started with the first app), with the RPC between the app and its PluginContext. What happens
 * when an app or its worker fails is the supervisor's (app-supervisor.ts).
 */
@injectable()
export class SandboxHost {
  private readonly config: SandboxConfig;
  private readonly pool: WorkerPool;
  private readonly apps = new RunningApps();
  private readonly health = new AppHealthBook();
  private readonly supervisor: AppSupervisor;

  constructor(
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.Logger) log: Logger,
    @inject(Tokens.Metrics) metrics: HostMetrics,
  ) {
    // Scraped, the apps' figures are read as GET /v1/admin/apps reads them.
    metrics.apps.readFrom(() => this.appHealth());
    this.config = config.sandbox;
    this.pool = new WorkerPool(
      this.config,
      (w, m) => this.onNotice(w, m),
      (w, why) => this.supervisor.workerEnded(w, why),
    );
    this.supervisor = new AppSupervisor(this.config, log, this.apps, this.pool, this.health);
  }

  attach(hooks: SandboxKernelHooks): void {
    this.supervisor.attach(hooks);
  }

  /** The definition the kernel runs for a sandboxed manifest: start and stop happen in a worker. */
  definitionFor(app: SandboxedApp): PluginDefinition {
    return {
      start: (context) => this.startApp(app, context),
      stop: () => this.stopApp(app.id),
    };
  }

  /** An operator enabled the app: its failure history starts over. */
  resetFailures(id: string): void {
    this.health.reset(id);
  }

  async startApp(record: SandboxedApp, context: PluginContext): Promise<void> {
    if (this.supervisor.closed) throw new SwitchboardError('shutting_down');
    const unsupported = sandboxRuntimeError(new Date());
    if (unsupported) throw unsupported;
    const code = await loadAppCode(record.entryFile!);
    const limits = effectiveLimits(record.manifest!.limits, this.config.maxLimits);
    const worker = await this.pool.workerFor(record.id, this.supervisor.dedicated(record.id));
    const app: RunningApp = {
      id: record.id,
      worker,
      limits,
      alive: true,
      bridge: new CapabilityBridge(context, limits, (handlerId, args, payer) =>
        this.invoke(app, handlerId, args, payer),
      ),
    };
    this.apps.add(app);
    this.health.starting(record.id, worker.pid, limits);
    const boot: AppBoot = {
      plugin: { ...context.plugin },
      self: context.self,
      settings: context.settings,
      permissions: { granted: [...context.permissions.granted], refused: [...context.permissions.refused] },
      maxPendingCalls: limits.maxPendingCalls,
    };
    try {
      await worker.request({ t: 'load', app: record.id, code, boot, limits }, LOAD_MS);
      app.bridge.starting = false;
      if (app.bridge.startError) throw app.bridge.startError;
      this.health.running(record.id);
    } catch (err) {
      const reason =
        err instanceof WorkerReplyError && err.wire.reason !== 'error'
          ? (err.wire.reason ?? 'start_failed')
          : 'start_failed';
      // The worker ended under the start: its end was already charged (or not) to the right app.
      if (!app.alive && WORKER_FAILURES.has(reason))
        throw new SwitchboardError('plugin_start_failed', `App ${record.id} did not start: ${(err as Error).message}`);
      this.apps.forget(app);
      this.pool.released(worker);
      this.health.failed(record.id, reason, (err as Error).message);
      // The worker went down under the app, not the app's own start: try again after a backoff.
      if (WORKER_FAILURES.has(reason) && this.supervisor.retryLater(record.id, reason, (err as Error).message)) {
        throw new SwitchboardError(
          'app_disabled',
          `App ${record.id} failed too often (last: ${reason}) and stays disabled until an operator enables it.`,
        );
      }
      if (err instanceof SwitchboardError) throw err;
      throw new SwitchboardError('plugin_start_failed', `App ${record.id} failed to start: ${(err as Error).message}`);
    }
  }

  async stopApp(id: string): Promise<void> {
    const app = this.apps.get(id);
    this.supervisor.cancelRestart(id);
    if (!app) return;
    this.apps.forget(app);
    this.health.stopped(id);
    await this.pool.unload(app.worker, id);
  }

  /** Every app the host has run, with its worker's latest figures (fresh when `refresh`). */
  async appHealth(refresh = true): Promise<AppHealth[]> {
    const figures = await this.pool.appFigures(refresh);
    return this.health.list((id) => figures.get(id) ?? null);
  }

  async close(): Promise<void> {
    this.supervisor.close();
    await Promise.all(this.apps.ids().map((id) => this.stopApp(id)));
    this.pool.close();
  }

  private async invoke(app: RunningApp, handlerId: number, args: unknown[], payer?: string): Promise<unknown> {
    if (!app.alive) throw appRestarting(app.id);
    try {
      // The IPC channel serialises to JSON: the worker gets a copy, never a reference.
      return await app.worker.request({ t: 'invoke', app: app.id, handler: handlerId, args, payer });
    } catch (err) {
      const wire = err instanceof WorkerReplyError ? err.wire : toWireError(err);
      // The app refused with its own error: the caller gets it (the plugin call boundary applies
      // the same rule as for a trusted plugin), and it is no failure of the app's.
      const refusal = readRefusal(wire.refusal);
      if (refusal) throw errorFromWire(refusal, app.id);
      if (wire.reason === 'restarting') throw appRestarting(app.id);
      // The caller used its share of the app's CPU: its limit, not the app's failure.
      if (wire.reason === 'caller_share')
        throw new SwitchboardError('sandbox_limit', wire.message, { retryAfterMs: wire.retryAfterMs });
      const reason = wire.reason ?? 'error';
      // A crash is recorded once, as the crash, not again for each event it ended; a worker's
      // end is charged by workerEnded, to the app that caused it.
      if (app.alive && !WORKER_FAILURES.has(reason)) this.supervisor.eventFailed(app, reason, wire.message);
      throw new SwitchboardError(
        reason === 'timeout' || reason === 'overloaded' ? 'plugin_timeout' : 'plugin_failed',
        `App ${app.id}: ${wire.message}`,
      );
    }
  }

  /**
   * What each of a worker's messages about an app does. `app` is null when the app no longer
   * runs there (a late message from an earlier start, or a worker it left).
   */
  private readonly notices: Handlers<AppNotice, void, [WorkerHandle, RunningApp | null]> = {
    call: (m, worker, app) => {
      if (!app) return;
      app.bridge.dispatch(m.method, m.args).then(
        (value) => worker.post({ t: 'ret', app: app.id, callId: m.callId, ok: true, value }),
        (err: unknown) => {
          if (!(err instanceof SwitchboardError || err instanceof PluginError))
            this.supervisor.kernel.logs.recordFailure(app.id, `${m.method} failed in the host`, err);
          worker.post({ t: 'ret', app: app.id, callId: m.callId, ok: false, error: toWireError(err) });
        },
      );
    },
    log: (m, _worker, app) => {
      if (!app) return;
      const logger = this.supervisor.kernel.logs.loggerFor(app.id);
      const level = isLogLevel(m.level) ? m.level : 'info';
      const data = (m.data && typeof m.data === 'object' ? m.data : undefined) as Record<string, unknown> | undefined;
      logger[level](String(m.message), data);
    },
    release: (m, _worker, app) => app?.bridge.release(m.handler),
    crashed: (m, worker, app) => {
      if (!app) return;
      if (m.reason === 'memory') worker.lastCrash = { app: app.id, at: Date.now() };
      this.supervisor.appCrashed(app, m.reason, m.message, m.threadBusy);
    },
    // Its app is already gone; the worker that holds its thread is not.
    stuck: (m, worker) => this.supervisor.stuck(worker, m.app),
  };

  private onNotice(worker: WorkerHandle, message: AppNotice): void {
    if (!handles(this.notices, message)) return;
    const app = this.apps.get(message.app);
    dispatchTo(this.notices, message, worker, app?.worker === worker ? app : null);
  }
}

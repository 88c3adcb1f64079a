import { inject, injectable } from 'tsyringe';
import type { AppLimits } from '../../sdk/app/app-limits.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PluginDefinition } from '../../sdk/plugin/define-plugin.js';
import type { PluginContext } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../container-tokens.js';
import type { HostConfig, SandboxConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import { PluginLogs } from '../plugins/plugin-logs.js';
import type { PluginRecord } from '../plugins/plugin-record.js';
import { sandboxRuntimeError } from '../runtime/node-runtime.js';
import { loadAppCode } from './app-code.js';
import { CapabilityBridge } from './capability-bridge.js';
import { effectiveLimits } from './effective-limits.js';
import { AppHealthBook, type AppHealth } from './app-health.js';
import type { AppFailureReason, WorkerToHost } from './rpc-protocol.js';
import { WorkerPool } from './worker-pool.js';
import { WorkerHandle, WorkerReplyError } from './worker-handle.js';
import { blameFor } from './worker-blame.js';
import { toWireError } from './wire-error.js';

/** What the kernel lets the sandbox do to an app's plugin record. */
export interface SandboxKernelHooks {
  restart(id: string): Promise<void>;
  disable(id: string, error: SwitchboardError): void;
}

interface RunningApp {
  readonly id: string;
  readonly worker: WorkerHandle;
  readonly bridge: CapabilityBridge;
  readonly limits: AppLimits;
  alive: boolean;
}

const WORKER_FAILURES: ReadonlySet<AppFailureReason> = new Set(['worker_crash', 'worker_memory', 'unresponsive']);
const LOAD_MS = 15_000;
/** Longer than the worker's wait for an isolate's thread after a disposal (STUCK_GRACE_MS). */
const STUCK_VERDICT_MS = 1_500;

/**
 * Runs sandboxed apps: worker processes (started with the first app), one isolate per app in
 * them, the RPC between, and supervision: restarts that back off, and a circuit breaker that
 * disables an app that keeps failing. A worker's end is charged to the app that caused it where
 * that is known; its neighbours restart with nothing held against them, and an app that keeps
 * ending its workers is moved to a worker of its own.
 */
@injectable()
export class SandboxHost {
  private readonly config: SandboxConfig;
  private readonly pool: WorkerPool;
  private readonly apps = new Map<string, RunningApp>();
  private readonly health = new AppHealthBook();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private hooks: SandboxKernelHooks | null = null;
  private closed = false;

  constructor(
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(PluginLogs) private readonly logs: PluginLogs,
  ) {
    this.config = config.sandbox;
    this.pool = new WorkerPool(this.config, (w, m) => this.onMessage(w, m), (w, why) => this.workerEnded(w, why));
  }

  attach(hooks: SandboxKernelHooks): void {
    this.hooks = hooks;
  }

  /** The definition the kernel runs for a sandboxed manifest: start and stop happen in a worker. */
  definitionFor(record: PluginRecord): PluginDefinition {
    return {
      start: (context) => this.startApp(record, context),
      stop: () => this.stopApp(record.id),
    };
  }

  /** An operator enabled the app: its failure history starts over. */
  resetFailures(id: string): void {
    this.health.reset(id);
  }

  async startApp(record: PluginRecord, context: PluginContext): Promise<void> {
    if (this.closed) throw new SwitchboardError('shutting_down');
    const unsupported = sandboxRuntimeError(new Date());
    if (unsupported) throw unsupported;
    const code = await loadAppCode(record.entryFile!);
    const limits = effectiveLimits(record.manifest!.limits, this.config.maxLimits);
    const dedicated = this.config.isolation === 'per-app' || this.health.isQuarantined(record.id);
    const worker = await this.pool.workerFor(record.id, dedicated);
    const app: RunningApp = {
      id: record.id, worker, limits, alive: true,
      bridge: new CapabilityBridge(context, limits, (handlerId, args) => this.invoke(app, handlerId, args)),
    };
    this.apps.set(record.id, app);
    worker.apps.add(record.id);
    this.health.starting(record.id, worker.pid, limits);
    const boot = {
      plugin: { ...context.plugin }, self: context.self, settings: context.settings,
      permissions: { granted: [...context.permissions.granted], refused: [...context.permissions.refused] },
      maxPendingCalls: limits.maxPendingCalls,
    };
    try {
      await worker.request({ t: 'load', app: record.id, code, boot, limits }, LOAD_MS);
      app.bridge.starting = false;
      if (app.bridge.startError) throw app.bridge.startError;
      this.health.running(record.id);
    } catch (err) {
      const reason = err instanceof WorkerReplyError && err.wire.reason !== 'error' ? err.wire.reason ?? 'start_failed' : 'start_failed';
      // The worker ended under the start: its end was already charged (or not) to the right app.
      if (!app.alive && WORKER_FAILURES.has(reason)) throw new SwitchboardError('plugin_start_failed', `App ${record.id} did not start: ${(err as Error).message}`);
      this.forget(app);
      this.pool.released(worker);
      this.health.failed(record.id, reason, (err as Error).message);
      // The worker went down under the app, not the app's own start: try again after a backoff.
      if (WORKER_FAILURES.has(reason) && this.retryLater(record.id, reason, (err as Error).message)) {
        throw new SwitchboardError('app_disabled', `App ${record.id} failed too often (last: ${reason}) and stays disabled until an operator enables it.`);
      }
      if (err instanceof SwitchboardError) throw err;
      throw new SwitchboardError('plugin_start_failed', `App ${record.id} failed to start: ${(err as Error).message}`);
    }
  }

  async stopApp(id: string): Promise<void> {
    const app = this.apps.get(id);
    clearTimeout(this.restartTimers.get(id));
    this.restartTimers.delete(id);
    if (!app) return;
    this.forget(app);
    this.health.stopped(id);
    if (!app.worker.exited) await app.worker.request({ t: 'unload', app: id }, 10_000).catch(() => {});
    this.pool.released(app.worker);
  }

  /** Every app the host has run, with its worker's latest figures (fresh when `refresh`). */
  async appHealth(refresh = true): Promise<AppHealth[]> {
    const workers = this.pool.all();
    if (refresh) await Promise.all(workers.map((w) => this.pool.ping(w).catch(() => {})));
    const stats = new Map(workers.flatMap((w) => (w.lastStats?.apps ?? []).map((a) => [a.app, { ...a, pid: w.pid, rss: w.lastStats!.rssBytes }] as const)));
    return this.health.list((id) => stats.get(id) ?? null);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    await Promise.all([...this.apps.keys()].map((id) => this.stopApp(id)));
    this.pool.close();
  }

  private async invoke(app: RunningApp, handlerId: number, args: unknown[]): Promise<unknown> {
    if (!app.alive) throw new SwitchboardError('plugin_failed', `App ${app.id} is restarting.`);
    try {
      // The IPC channel serialises to JSON: the worker gets a copy, never a reference.
      return await app.worker.request({ t: 'invoke', app: app.id, handler: handlerId, args });
    } catch (err) {
      const wire = err instanceof WorkerReplyError ? err.wire : toWireError(err);
      const reason = wire.reason ?? 'error';
      // A crash is recorded once, as the crash, not again for each event it ended; a worker's
      // end is charged by workerEnded, to the app that caused it.
      if (app.alive && !WORKER_FAILURES.has(reason)) this.eventFailed(app, reason, wire.message);
      throw new SwitchboardError(reason === 'timeout' ? 'plugin_timeout' : 'plugin_failed', `App ${app.id}: ${wire.message}`);
    }
  }

  private onMessage(worker: WorkerHandle, message: WorkerToHost): void {
    if (!('app' in message)) return;
    if (message.t === 'stuck') {
      // Its isolate is already gone (and charged); its thread is not, and only the worker's end frees it.
      const why = 'It held an isolate thread that termination could not free; its worker was replaced.';
      this.health.noted(message.app, 'unresponsive', why);
      worker.kill('unresponsive', { app: message.app, reason: 'unresponsive', message: why });
      return;
    }
    const app = this.apps.get(message.app);
    if (!app || app.worker !== worker) return;
    switch (message.t) {
      case 'call':
        app.bridge.dispatch(message.method, message.args).then(
          (value) => worker.post({ t: 'ret', app: app.id, callId: message.callId, ok: true, value }),
          (err: unknown) => {
            if (!(err instanceof SwitchboardError)) this.logs.recordFailure(app.id, `${message.method} failed in the host`, err);
            worker.post({ t: 'ret', app: app.id, callId: message.callId, ok: false, error: toWireError(err) });
          },
        );
        return;
      case 'log':
        this.logs.loggerFor(app.id)[message.level === 'debug' || message.level === 'warn' || message.level === 'error' ? message.level : 'info'](
          String(message.message), (message.data && typeof message.data === 'object' ? message.data : undefined) as Record<string, unknown> | undefined);
        return;
      case 'release':
        app.bridge.release(message.handler);
        return;
      case 'crashed':
        if (message.reason === 'memory') worker.lastCrash = { app: app.id, at: Date.now() };
        this.appCrashed(app, message.reason, message.message, message.threadBusy);
        return;
    }
  }

  private eventFailed(app: RunningApp, reason: AppFailureReason, message: string): void {
    this.health.eventFailed(app.id, reason, message);
    this.logs.loggerFor(app.id).warn(`event stopped (${reason}): ${message}`);
    if (this.health.countsTowardBreaker(reason)) this.checkBreaker(app.id, reason, message);
  }

  /** The isolate or its worker is gone: restart after a backoff, unless the breaker opens. */
  private appCrashed(app: RunningApp, reason: AppFailureReason, message: string, threadBusy = false): void {
    if (!app.alive) return;
    this.forget(app);
    // A worker of its own is not kept for its restart (nor kept holding a thread it may not get back).
    this.pool.released(app.worker);
    this.health.failed(app.id, reason, message);
    this.logs.loggerFor(app.id).error(`app stopped (${reason}): ${message}`);
    // Its code was still running when the isolate was disposed: the worker needs a moment to know
    // whether the thread came back (if not, it reports the app stuck and the worker is replaced),
    // and the app must not restart into that worker meanwhile.
    this.retryLater(app.id, reason, message, threadBusy ? STUCK_VERDICT_MS : 0);
  }

  /** Returns true when the circuit breaker disabled the app instead. */
  private retryLater(id: string, reason: AppFailureReason, message: string, minDelayMs = 0): boolean {
    if (this.closed) return false;
    if (this.checkBreaker(id, reason, message)) return true;
    this.health.restarting(id);
    this.scheduleRestart(id, Math.max(minDelayMs, this.health.restartDelay(id, this.config.restart)));
    return false;
  }

  /** Returns true when the app was disabled. */
  private checkBreaker(id: string, reason: AppFailureReason, message: string): boolean {
    const { maxFailures, windowMs } = this.config.restart;
    const failures = this.health.recentFailures(id, windowMs);
    if (failures < maxFailures) return false;
    const app = this.apps.get(id);
    if (app) {
      this.forget(app);
      if (!app.worker.exited) app.worker.request({ t: 'unload', app: id }, 10_000).catch(() => {}).finally(() => this.pool.released(app.worker));
    }
    clearTimeout(this.restartTimers.get(id));
    this.restartTimers.delete(id);
    this.health.disabled(id);
    const error = new SwitchboardError('app_disabled',
      `App ${id} failed ${failures} times within ${windowMs} ms (last: ${reason}: ${message}); it stays disabled until an operator enables it.`);
    this.log.warn({ plugin: id, reason }, 'app disabled by its circuit breaker');
    this.hooks?.disable(id, error);
    return true;
  }

  private forget(app: RunningApp): void {
    app.alive = false;
    if (this.apps.get(app.id) === app) this.apps.delete(app.id);
    app.worker.apps.delete(app.id);
  }

  /** A worker ended: the app to blame is charged; the others restart with nothing against them. */
  private workerEnded(worker: WorkerHandle, why: string): void {
    const ids = [...worker.apps];
    // A dedicated worker released after its app stopped ends with no app in it: nothing to do.
    if (this.closed || ids.length === 0) return;
    const blame = blameFor(worker, ids, why);
    this.log.warn({ pid: worker.pid, why, reason: worker.killReason, blame: blame?.app ?? null, apps: ids }, 'sandbox worker ended; restarting its apps');
    if (blame) this.chargeWorkerFault(blame.app);
    for (const id of ids) {
      const app = this.apps.get(id);
      if (!app) continue;
      if (blame?.app === id) this.appCrashed(app, blame.reason, `${blame.message} (the worker ${why})`);
      else this.restartCollateral(app, blame ? `${blame.app} ended the worker it shared (${blame.reason})` : `the worker ${why}`);
    }
  }

  /** Counts a worker's end against the app; one that ends its workers often gets a worker of its own. */
  private chargeWorkerFault(id: string): void {
    if (this.config.isolation === 'per-app' || this.health.isQuarantined(id)) return;
    if (this.health.workerFault(id, this.config.restart.windowMs) < this.config.quarantineAfter) return;
    this.health.quarantine(id);
    this.log.warn({ plugin: id }, 'app quarantined: it runs in a worker of its own from its next start');
    this.logs.loggerFor(id).warn('The app ended its shared worker too often; it now runs in a worker of its own.');
  }

  private restartCollateral(app: RunningApp, cause: string): void {
    this.forget(app);
    this.health.collateral(app.id);
    this.logs.loggerFor(app.id).warn(`app restarting: ${cause}; this does not count against it`);
    this.scheduleRestart(app.id, this.config.restart.baseDelayMs);
  }

  private scheduleRestart(id: string, delay: number): void {
    clearTimeout(this.restartTimers.get(id));
    const timer = setTimeout(() => {
      this.restartTimers.delete(id);
      if (this.closed) return;
      this.health.restarted(id);
      this.hooks?.restart(id).catch((err: unknown) => this.log.error({ plugin: id, err }, 'app restart failed'));
    }, delay);
    timer.unref();
    this.restartTimers.set(id, timer);
  }
}

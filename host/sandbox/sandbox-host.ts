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
import { loadAppCode } from './app-code.js';
import { CapabilityBridge } from './capability-bridge.js';
import { effectiveLimits } from './effective-limits.js';
import { guestScript } from './guest-script.js';
import { AppHealthBook, type AppHealth } from './app-health.js';
import type { AppFailureReason, WorkerStats, WorkerToHost } from './rpc-protocol.js';
import { WorkerHandle, WorkerReplyError } from './worker-handle.js';
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

const WORKER_START_MS = 30_000;
const WORKER_FAILURES: ReadonlySet<AppFailureReason> = new Set(['worker_crash', 'worker_memory', 'unresponsive']);
const LOAD_MS = 15_000;
const WORKER_HEAP_MB = 256;

/**
 * Runs sandboxed apps: a pool of worker processes (started with the first app), one isolate per
 * app in them, the RPC between, and supervision: heartbeats, a memory cap per worker, restarts
 * that back off, and a circuit breaker that disables an app that keeps failing.
 */
@injectable()
export class SandboxHost {
  private readonly config: SandboxConfig;
  private readonly workers: WorkerHandle[] = [];
  private readonly apps = new Map<string, RunningApp>();
  private readonly health = new AppHealthBook();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private heartbeat: NodeJS.Timeout | null = null;
  private hooks: SandboxKernelHooks | null = null;
  private closed = false;

  constructor(
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(PluginLogs) private readonly logs: PluginLogs,
  ) {
    this.config = config.sandbox;
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
    const code = await loadAppCode(record.entryFile!);
    const limits = effectiveLimits(record.manifest!.limits, this.config.maxLimits);
    const worker = await this.pickWorker();
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
      this.forget(app);
      const reason = err instanceof WorkerReplyError && err.wire.reason !== 'error' ? err.wire.reason ?? 'start_failed' : 'start_failed';
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
  }

  /** Every app the host has run, with its worker's latest figures (fresh when `refresh`). */
  async appHealth(refresh = true): Promise<AppHealth[]> {
    if (refresh) await Promise.all(this.workers.map((w) => this.ping(w).catch(() => {})));
    const stats = new Map(this.workers.flatMap((w) => (w.lastStats?.apps ?? []).map((a) => [a.app, { ...a, pid: w.pid, rss: w.lastStats!.rssBytes }] as const)));
    return this.health.list((id) => stats.get(id) ?? null);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
    await Promise.all([...this.apps.keys()].map((id) => this.stopApp(id)));
    for (const worker of this.workers) worker.kill();
  }

  private async invoke(app: RunningApp, handlerId: number, args: unknown[]): Promise<unknown> {
    if (!app.alive) throw new SwitchboardError('plugin_failed', `App ${app.id} is restarting.`);
    try {
      // The IPC channel serialises to JSON: the worker gets a copy, never a reference.
      return await app.worker.request({ t: 'invoke', app: app.id, handler: handlerId, args });
    } catch (err) {
      const wire = err instanceof WorkerReplyError ? err.wire : toWireError(err);
      const reason = wire.reason ?? 'error';
      // A crash is recorded once, as the crash, not again for each event it ended.
      if (app.alive) this.eventFailed(app, reason, wire.message);
      throw new SwitchboardError(reason === 'timeout' ? 'plugin_timeout' : 'plugin_failed', `App ${app.id}: ${wire.message}`);
    }
  }

  private onMessage(worker: WorkerHandle, message: WorkerToHost): void {
    if (!('app' in message)) return;
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
        this.appCrashed(app, message.reason, message.message);
        return;
    }
  }

  private eventFailed(app: RunningApp, reason: AppFailureReason, message: string): void {
    this.health.eventFailed(app.id, reason, message);
    this.logs.loggerFor(app.id).warn(`event stopped (${reason}): ${message}`);
    if (this.health.countsTowardBreaker(reason)) this.checkBreaker(app.id, reason, message);
  }

  /** The isolate or its worker is gone: restart after a backoff, unless the breaker opens. */
  private appCrashed(app: RunningApp, reason: AppFailureReason, message: string): void {
    if (!app.alive) return;
    this.forget(app);
    this.health.failed(app.id, reason, message);
    this.logs.loggerFor(app.id).error(`app stopped (${reason}): ${message}`);
    this.retryLater(app.id, reason, message);
  }

  /** Returns true when the circuit breaker disabled the app instead. */
  private retryLater(id: string, reason: AppFailureReason, message: string): boolean {
    if (this.closed) return false;
    if (this.checkBreaker(id, reason, message)) return true;
    const delay = this.health.restartDelay(id, this.config.restart);
    this.health.restarting(id);
    clearTimeout(this.restartTimers.get(id));
    const timer = setTimeout(() => {
      this.restartTimers.delete(id);
      if (this.closed) return;
      this.health.restarted(id);
      this.hooks?.restart(id).catch((err: unknown) => this.log.error({ plugin: id, err }, 'app restart failed'));
    }, delay);
    timer.unref();
    this.restartTimers.set(id, timer);
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
      if (!app.worker.exited) app.worker.request({ t: 'unload', app: id }, 10_000).catch(() => {});
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

  private async pickWorker(): Promise<WorkerHandle> {
    while (this.workers.length < this.config.workers) this.workers.push(this.spawn(await guestScript()));
    this.ensureHeartbeat();
    const worker = [...this.workers].sort((a, b) => a.apps.size - b.apps.size)[0]!;
    await Promise.race([worker.ready, new Promise((_, reject) => setTimeout(() => reject(new SwitchboardError('unavailable', 'A sandbox worker did not start in time.')), WORKER_START_MS).unref())]);
    return worker;
  }

  private spawn(guest: string): WorkerHandle {
    return new WorkerHandle(guest, WORKER_HEAP_MB, (w, m) => this.onMessage(w, m), (worker, why) => {
      const index = this.workers.indexOf(worker);
      if (index >= 0) this.workers.splice(index, 1);
      if (this.closed) return;
      const reason = worker.killReason ?? 'worker_crash';
      this.log.warn({ pid: worker.pid, why, reason, apps: [...worker.apps] }, 'sandbox worker ended; restarting its apps');
      for (const id of [...worker.apps]) {
        const app = this.apps.get(id);
        if (app) this.appCrashed(app, reason, `The worker process ${why}.`);
      }
    });
  }

  private ensureHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const worker of this.workers) {
        this.ping(worker).catch(() => worker.kill('unresponsive'));
      }
    }, this.config.heartbeatMs);
    this.heartbeat.unref();
  }

  private async ping(worker: WorkerHandle): Promise<void> {
    const stats = await worker.request<WorkerStats>({ t: 'ping' }, this.config.heartbeatTimeoutMs);
    worker.lastStats = stats;
    if (stats.rssBytes > this.config.workerMemoryMb * 1_048_576) worker.kill('worker_memory');
  }
}

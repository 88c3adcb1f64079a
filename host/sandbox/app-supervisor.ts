import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { SandboxConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import type { AppHealthBook } from './app-health.js';
import type { SandboxKernelHooks } from './kernel-port.js';
import type { AppFailureReason } from './rpc-protocol.js';
import type { RunningApp, RunningApps } from './running-apps.js';
import { blameFor } from './worker-blame.js';
import type { WorkerHandle } from './worker-handle.js';
import type { WorkerPool } from './worker-pool.js';

/** A worker's end, not the app's own failure: charged once, by workerEnded, to the app that caused it. */
export const WORKER_FAILURES: ReadonlySet<AppFailureReason> = new Set([
  'worker_crash',
  'worker_memory',
  'unresponsive',
]);
/** Longer than the worker's wait for an isolate's thread after a disposal (STUCK_GRACE_MS). */
const STUCK_VERDICT_MS = 1_500;

/**
 * Supervision of the apps: restarts that back off, and a circuit breaker that disables an app
 * that keeps failing. A worker's end is charged to the app that caused it where that is known;
 * its neighbours restart with nothing held against them, and an app that keeps ending its
 * workers is moved to a worker of its own.
 */
export class AppSupervisor {
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private hooks: SandboxKernelHooks | null = null;
  closed = false;

  constructor(
    private readonly config: SandboxConfig,
    private readonly log: Logger,
    private readonly apps: RunningApps,
    private readonly pool: WorkerPool,
    private readonly health: AppHealthBook,
  ) {}

  attach(hooks: SandboxKernelHooks): void {
    this.hooks = hooks;
  }

  /** The kernel's hooks: attached when the kernel is built, before any app can start. */
  get kernel(): SandboxKernelHooks {
    if (!this.hooks) throw new Error('The plugin kernel has not attached to the sandbox.');
    return this.hooks;
  }

  /** Whether the app runs in a worker of its own: by the isolation setting, or quarantined. */
  dedicated(id: string): boolean {
    return this.config.isolation === 'per-app' || this.health.isQuarantined(id);
  }

  eventFailed(app: RunningApp, reason: AppFailureReason, message: string): void {
    this.health.eventFailed(app.id, reason, message);
    this.kernel.logs.loggerFor(app.id).warn(`event stopped (${reason}): ${message}`);
    if (this.health.countsTowardBreaker(reason)) this.checkBreaker(app.id, reason, message);
  }

  /** The isolate or its worker is gone: restart after a backoff, unless the breaker opens. */
  appCrashed(app: RunningApp, reason: AppFailureReason, message: string, threadBusy = false): void {
    if (!app.alive) return;
    this.apps.forget(app);
    // A worker of its own is not kept for its restart (nor kept holding a thread it may not get back).
    this.pool.released(app.worker);
    this.health.failed(app.id, reason, message);
    this.kernel.logs.loggerFor(app.id).error(`app stopped (${reason}): ${message}`);
    // Its code was still running when the isolate was disposed: the worker needs a moment to know
    // whether the thread came back (if not, it reports the app stuck and the worker is replaced),
    // and the app must not restart into that worker meanwhile.
    this.retryLater(app.id, reason, message, threadBusy ? STUCK_VERDICT_MS : 0);
  }

  /** The app holds a thread that only its worker's end frees: the worker goes, charged to it. */
  stuck(worker: WorkerHandle, id: string): void {
    // Its isolate is already gone (and charged); this is on record, not a second strike.
    const why = 'It held an isolate thread that termination could not free; its worker was replaced.';
    this.health.noted(id, 'unresponsive', why);
    worker.kill('unresponsive', { app: id, reason: 'unresponsive', message: why });
  }

  /** Returns true when the circuit breaker disabled the app instead. */
  retryLater(id: string, reason: AppFailureReason, message: string, minDelayMs = 0): boolean {
    if (this.closed) return false;
    if (this.checkBreaker(id, reason, message)) return true;
    this.health.restarting(id);
    this.scheduleRestart(id, Math.max(minDelayMs, this.health.restartDelay(id, this.config.restart)));
    return false;
  }

  /** A worker ended: the app to blame is charged; the others restart with nothing against them. */
  workerEnded(worker: WorkerHandle, why: string): void {
    const ids = [...worker.apps];
    // A dedicated worker released after its app stopped ends with no app in it: nothing to do.
    if (this.closed || ids.length === 0) return;
    const blame = blameFor(worker, ids, why);
    this.log.warn(
      { pid: worker.pid, why, reason: worker.killReason, blame: blame?.app ?? null, apps: ids },
      'sandbox worker ended; restarting its apps',
    );
    if (blame) this.chargeWorkerFault(blame.app);
    for (const id of ids) {
      const app = this.apps.get(id);
      if (!app) continue;
      if (blame?.app === id) this.appCrashed(app, blame.reason, `${blame.message} (the worker ${why})`);
      else
        this.restartCollateral(
          app,
          blame ? `${blame.app} ended the worker it shared (${blame.reason})` : `the worker ${why}`,
        );
    }
  }

  cancelRestart(id: string): void {
    clearTimeout(this.restartTimers.get(id));
    this.restartTimers.delete(id);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.restartTimers.values()) clearTimeout(timer);
  }

  /** Returns true when the app was disabled. */
  private checkBreaker(id: string, reason: AppFailureReason, message: string): boolean {
    const { maxFailures, windowMs } = this.config.restart;
    const failures = this.health.recentFailures(id, windowMs);
    if (failures < maxFailures) return false;
    const app = this.apps.get(id);
    if (app) {
      this.apps.forget(app);
      void this.pool.unload(app.worker, id);
    }
    this.cancelRestart(id);
    this.health.disabled(id);
    const error = new SwitchboardError(
      'app_disabled',
      `App ${id} failed ${failures} times within ${windowMs} ms (last: ${reason}: ${message}); it stays disabled until an operator enables it.`,
    );
    this.log.warn({ plugin: id, reason }, 'app disabled by its circuit breaker');
    this.kernel.disable(id, error);
    return true;
  }

  /** Counts a worker's end against the app; one that ends its workers often gets a worker of its own. */
  private chargeWorkerFault(id: string): void {
    if (this.dedicated(id)) return;
    if (this.health.workerFault(id, this.config.restart.windowMs) < this.config.quarantineAfter) return;
    this.health.quarantine(id);
    this.log.warn({ plugin: id }, 'app quarantined: it runs in a worker of its own from its next start');
    this.kernel.logs
      .loggerFor(id)
      .warn('The app ended its shared worker too often; it now runs in a worker of its own.');
  }

  private restartCollateral(app: RunningApp, cause: string): void {
    this.apps.forget(app);
    this.health.collateral(app.id);
    this.kernel.logs.loggerFor(app.id).warn(`app restarting: ${cause}; this does not count against it`);
    this.scheduleRestart(app.id, this.config.restart.baseDelayMs);
  }

  private scheduleRestart(id: string, delay: number): void {
    clearTimeout(this.restartTimers.get(id));
    const timer = setTimeout(() => {
      this.restartTimers.delete(id);
      if (this.closed) return;
      this.health.restarted(id);
      this.kernel.restart(id).catch((err: unknown) => this.log.error({ plugin: id, err }, 'app restart failed'));
    }, delay);
    timer.unref();
    this.restartTimers.set(id, timer);
  }
}

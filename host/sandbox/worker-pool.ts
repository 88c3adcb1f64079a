import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { SandboxConfig } from '../config/host-config.js';
import { nativeModuleError } from '../runtime/node-runtime.js';
import { guestScript } from './guest-script.js';
import type { AppNotice, AppStats, WorkerStats } from './rpc-protocol.js';
import { WorkerHandle, type Blame } from './worker-handle.js';

const WORKER_START_MS = 30_000;
const WORKER_HEAP_MB = 256;
const UNLOAD_MS = 10_000;

/** An app's latest figures, with those of the worker that holds it. */
export type AppFigures = AppStats & { pid: number | undefined; rss: number };

/**
 * The worker processes: a shared pool that apps are spread over, and dedicated workers that hold
 * one app each (quarantined apps, or every app when isolation is per-app). It pings every worker;
 * one that does not answer, or whose memory passes the cap, is killed, with the blame put on the
 * app that most likely caused it.
 */
export class WorkerPool {
  private readonly shared: WorkerHandle[] = [];
  private readonly dedicated = new Set<WorkerHandle>();
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: SandboxConfig,
    private readonly onMessage: (worker: WorkerHandle, message: AppNotice) => void,
    private readonly onEnd: (worker: WorkerHandle, why: string) => void,
  ) {}

  /** A started worker for the app: its own when `dedicated`, else the least loaded shared one. */
  async workerFor(app: string, dedicated: boolean): Promise<WorkerHandle> {
    const guest = await guestScript();
    let worker: WorkerHandle;
    if (dedicated) {
      worker = this.spawn(guest);
      worker.dedicatedTo = app;
      this.dedicated.add(worker);
    } else {
      while (this.shared.length < this.config.workers) this.shared.push(this.spawn(guest));
      worker = [...this.shared].sort((a, b) => a.apps.size - b.apps.size)[0]!;
    }
    this.ensureHeartbeat();
    try {
      await Promise.race([
        worker.ready,
        new Promise((_, reject) =>
          setTimeout(
            () => reject(new SwitchboardError('unavailable', 'A sandbox worker did not start in time.')),
            WORKER_START_MS,
          ).unref(),
        ),
      ]);
    } catch (err) {
      // A worker that cannot load isolated-vm says why; most often it was built for another Node.
      if (worker.fatal)
        throw (
          nativeModuleError(new Error(worker.fatal), 'isolated-vm') ??
          new SwitchboardError('unavailable', `A sandbox worker cannot run apps: ${worker.fatal}`)
        );
      throw err;
    }
    return worker;
  }

  /** A dedicated worker whose app stopped is not kept. */
  released(worker: WorkerHandle): void {
    if (worker.dedicatedTo && worker.apps.size === 0) worker.kill();
  }

  /** Unloads an app that no longer counts as running there; a worker that does not answer in time is not waited for. */
  async unload(worker: WorkerHandle, app: string): Promise<void> {
    // A worker that fails the unload is ended or replaced by the heartbeat; the app is gone from it either way.
    if (!worker.exited) await worker.request({ t: 'unload', app }, UNLOAD_MS).catch(() => {});
    this.released(worker);
  }

  /** Each app's latest figures from its worker (asked afresh when `refresh`), by app id. */
  async appFigures(refresh: boolean): Promise<Map<string, AppFigures>> {
    const workers = this.all();
    // A worker that does not answer shows its last figures; the heartbeat deals with it.
    if (refresh) await Promise.all(workers.map((w) => this.ping(w).catch(() => {})));
    return new Map(
      workers.flatMap((w) =>
        (w.lastStats?.apps ?? []).map((a) => [a.app, { ...a, pid: w.pid, rss: w.lastStats!.rssBytes }] as const),
      ),
    );
  }

  all(): WorkerHandle[] {
    return [...this.shared, ...this.dedicated];
  }

  async ping(worker: WorkerHandle): Promise<void> {
    const stats = await worker.request<WorkerStats>({ t: 'ping' }, this.config.heartbeatTimeoutMs);
    worker.lastStats = stats;
    if (stats.rssBytes <= this.config.workerMemoryMb * 1_048_576) {
      worker.underCapStats = stats;
      worker.overCapSeen = false;
      return;
    }
    // Over the cap: decide on the next figures, not these. An isolate busy with the very event
    // that grew it answers its heap figures late, and the blame must go by fresh ones.
    if (!worker.overCapSeen) {
      worker.overCapSeen = true;
      return;
    }
    const culprit = memoryCulprit(worker.underCapStats, stats) ?? worker.oldestBusyApp();
    worker.kill(
      'worker_memory',
      culprit
        ? {
            app: culprit,
            reason: 'worker_memory',
            message: `Its worker's memory passed ${this.config.workerMemoryMb} MiB, and this app's memory grew most.`,
          }
        : undefined,
    );
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const worker of this.all()) worker.kill();
  }

  private spawn(guest: string): WorkerHandle {
    return new WorkerHandle(
      guest,
      WORKER_HEAP_MB,
      this.onMessage,
      (worker, why) => {
        const index = this.shared.indexOf(worker);
        if (index >= 0) this.shared.splice(index, 1);
        this.dedicated.delete(worker);
        this.onEnd(worker, why);
      },
      { niceness: this.config.workerNiceness },
    );
  }

  private ensureHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const worker of this.all()) {
        // Not answering is the failure: the worker is ended, its apps restarted.
        this.ping(worker).catch(() => worker.kill('unresponsive', unresponsiveCulprit(worker)));
      }
    }, this.config.heartbeatMs);
    this.heartbeat.unref();
  }
}

/** The app whose memory (heap and external) grew most since the worker was last under its cap. */
function memoryCulprit(under: WorkerStats | null, now: WorkerStats): string | null {
  const size = (a: AppStats) => a.heapUsedBytes + a.externalBytes;
  const before = new Map((under?.apps ?? []).map((a) => [a.app, size(a)]));
  let culprit: { app: string; growth: number } | null = null;
  for (const a of now.apps) {
    const growth = size(a) - (before.get(a.app) ?? 0);
    if (growth > 0 && (!culprit || growth > culprit.growth)) culprit = { app: a.app, growth };
  }
  return culprit?.app ?? null;
}

/** A worker that stopped answering: the app whose event has waited longest was running in it. */
function unresponsiveCulprit(worker: WorkerHandle): Blame | undefined {
  const app = worker.oldestBusyApp();
  return app
    ? { app, reason: 'unresponsive', message: "Its worker stopped answering while this app's event ran." }
    : undefined;
}

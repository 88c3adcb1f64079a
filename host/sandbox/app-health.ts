import type { AppLimits } from '../../sdk/app/app-limits.js';
import type { AppState } from '../../sdk/protocol/admin.js';
import type { AppFailureReason, AppStats } from './rpc-protocol.js';

export type { AppState };

/** What operators see of one app (GET /v1/admin/apps): its history here, its worker's latest figures. */
export interface AppHealth extends Omit<AppStats, 'app'> {
  id: string;
  state: AppState;
  workerPid: number | null;
  restarts: number;
  failures: Partial<Record<AppFailureReason, number>>;
  lastFailure: { reason: AppFailureReason; message: string; at: string } | null;
  limits: AppLimits | null;
  workerRssBytes: number | null;
  /** Runs in a worker of its own, after failing its shared worker too often (or by isolation: per-app). */
  quarantined: boolean;
  /** Restarts because a neighbour in its worker ended that worker: never held against it. */
  collateralRestarts: number;
}

interface Entry {
  state: AppState;
  workerPid: number | null;
  restarts: number;
  failures: Partial<Record<AppFailureReason, number>>;
  lastFailure: AppHealth['lastFailure'];
  /** Times of failures that count toward the circuit breaker. */
  recent: number[];
  /** Times of worker ends charged to this app, toward quarantine. */
  workerFaults: number[];
  limits: AppLimits | null;
  quarantined: boolean;
  collateralRestarts: number;
}

/** Reasons that are the app misbehaving (not one event's plain exception, nor a throttled event). */
const BREAKER_REASONS: ReadonlySet<AppFailureReason> = new Set([
  'cpu_limit',
  'timeout',
  'memory',
  'unresponsive',
  'worker_crash',
  'worker_memory',
  'start_failed',
]);

/** The health and failure history of each app, kept across its restarts. */
export class AppHealthBook {
  private readonly entries = new Map<string, Entry>();

  starting(id: string, workerPid: number | undefined, limits: AppLimits): void {
    const e = this.entry(id);
    e.state = 'starting';
    e.workerPid = workerPid ?? null;
    e.limits = limits;
  }

  running(id: string): void {
    this.entry(id).state = 'running';
  }
  restarting(id: string): void {
    this.entry(id).state = 'restarting';
  }
  restarted(id: string): void {
    this.entry(id).restarts++;
  }
  disabled(id: string): void {
    this.entry(id).state = 'disabled';
  }

  stopped(id: string): void {
    const e = this.entry(id);
    if (e.state !== 'disabled' && e.state !== 'restarting') e.state = 'stopped';
    e.workerPid = null;
  }

  failed(id: string, reason: AppFailureReason, message: string): void {
    const e = this.entry(id);
    e.state = 'failed';
    e.workerPid = null;
    this.record(e, reason, message);
  }

  eventFailed(id: string, reason: AppFailureReason, message: string): void {
    this.record(this.entry(id), reason, message);
  }

  /** A further fact about a failure already charged: on record, but not a second strike. */
  noted(id: string, reason: AppFailureReason, message: string): void {
    this.record(this.entry(id), reason, message, false);
  }

  /** A neighbour ended the app's worker: it restarts, and nothing counts against it. */
  collateral(id: string): void {
    const e = this.entry(id);
    e.state = 'restarting';
    e.workerPid = null;
    e.collateralRestarts++;
  }

  /** Charges a worker's end to the app; returns how many it was charged within the window. */
  workerFault(id: string, windowMs: number): number {
    const e = this.entry(id);
    const since = Date.now() - windowMs;
    e.workerFaults = e.workerFaults.filter((t) => t >= since);
    e.workerFaults.push(Date.now());
    return e.workerFaults.length;
  }

  quarantine(id: string): void {
    this.entry(id).quarantined = true;
  }
  isQuarantined(id: string): boolean {
    return this.entries.get(id)?.quarantined ?? false;
  }

  countsTowardBreaker(reason: AppFailureReason): boolean {
    return BREAKER_REASONS.has(reason);
  }

  recentFailures(id: string, windowMs: number): number {
    const e = this.entry(id);
    const since = Date.now() - windowMs;
    e.recent = e.recent.filter((t) => t >= since);
    return e.recent.length;
  }

  /** Doubles with each recent failure: base, 2·base, 4·base … up to max. */
  restartDelay(id: string, policy: { baseDelayMs: number; maxDelayMs: number; windowMs: number }): number {
    const n = Math.max(1, this.recentFailures(id, policy.windowMs));
    return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  }

  /** An operator enabled the app again: it starts over, in the shared pool. */
  reset(id: string): void {
    const e = this.entry(id);
    e.recent = [];
    e.workerFaults = [];
    e.quarantined = false;
  }

  list(stats: (id: string) => (AppStats & { pid?: number; rss: number }) | null): AppHealth[] {
    return [...this.entries].map(([id, e]) => {
      const s = e.state === 'running' || e.state === 'starting' ? stats(id) : null;
      return {
        id,
        state: e.state,
        workerPid: e.workerPid,
        restarts: e.restarts,
        failures: { ...e.failures },
        lastFailure: e.lastFailure,
        limits: e.limits,
        quarantined: e.quarantined,
        collateralRestarts: e.collateralRestarts,
        cpuMs: s?.cpuMs ?? 0,
        cpuMsLastMinute: s?.cpuMsLastMinute ?? 0,
        heapUsedBytes: s?.heapUsedBytes ?? 0,
        externalBytes: s?.externalBytes ?? 0,
        heapLimitBytes: s?.heapLimitBytes ?? (e.limits ? e.limits.memoryMb * 1_048_576 : 0),
        events: s?.events ?? 0,
        failedEvents: s?.failedEvents ?? 0,
        pendingCalls: s?.pendingCalls ?? 0,
        workerRssBytes: s?.rss ?? null,
      };
    });
  }

  private record(e: Entry, reason: AppFailureReason, message: string, strike = true): void {
    e.failures[reason] = (e.failures[reason] ?? 0) + 1;
    e.lastFailure = { reason, message: message.slice(0, 500), at: new Date().toISOString() };
    if (strike && BREAKER_REASONS.has(reason)) e.recent.push(Date.now());
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e)
      this.entries.set(
        id,
        (e = {
          state: 'stopped',
          workerPid: null,
          restarts: 0,
          failures: {},
          lastFailure: null,
          recent: [],
          workerFaults: [],
          limits: null,
          quarantined: false,
          collateralRestarts: 0,
        }),
      );
    return e;
  }
}

import { NS_PER_MS } from './cpu-ledger.js';

/** Of an app's CPU per minute, the part the service calls of any one caller may use. */
const CALLER_SHARE = 0.5;
const MINUTE_MS = 60_000;

/** A caller past its share: why, and when it may call again. */
export interface CallerRefusal {
  message: string;
  retryAfterMs: number;
}

/**
 * The CPU that each caller of an app's services has used of the app, draining over a minute (a
 * leaky bucket): one caller's calls may use at most half of the app's CPU per minute, so that no
 * caller can spend the app's minute for its other callers and its own events. Each event is
 * charged its own work only (open-events.ts), so a caller pays for exactly the events it caused.
 */
export class CallerShares {
  private readonly used = new Map<string, { ms: number; at: number }>();
  private readonly shareMs: number;

  constructor(cpuMsPerMinute: number) {
    this.shareMs = cpuMsPerMinute * CALLER_SHARE;
  }

  /** An entry for an event that `caller` caused used `cpu` (ns). */
  charge(caller: string | undefined, cpu: bigint): void {
    if (caller === undefined) return;
    const now = Date.now();
    this.used.set(caller, { ms: this.usedNow(caller, now) + Number(cpu) / Number(NS_PER_MS), at: now });
  }

  /** Why a call from `caller` may not start an event now, or null if it may. */
  refusal(caller: string): CallerRefusal | null {
    const ms = this.usedNow(caller, Date.now());
    if (ms < this.shareMs) return null;
    return {
      message: `Calls from ${caller} used ${Math.round(ms)} ms of the app's CPU in the last minute, their share of ${this.shareMs} ms.`,
      retryAfterMs: Math.ceil(((ms - this.shareMs) * MINUTE_MS) / this.shareMs) + 1,
    };
  }

  private usedNow(caller: string, now: number): number {
    const last = this.used.get(caller);
    if (!last) return 0;
    const ms = last.ms - ((now - last.at) * this.shareMs) / MINUTE_MS;
    if (ms > 0) return ms;
    this.used.delete(caller);
    return 0;
  }
}

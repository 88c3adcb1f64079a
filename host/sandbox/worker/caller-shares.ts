import type { AppLimits } from '../../../sdk/app/app-limits.js';
import { NS_PER_MS } from './cpu-ledger.js';
import { EventFailure } from './event-failure.js';

/** Of an app's CPU per minute, the part the service calls of any one caller may use… */
const CALLER_SHARE = 0.5;
/** …and of all its callers together, so that its own events always keep some. */
const CALLERS_SHARE = 0.75;
const MINUTE_MS = 60_000;
/** Settled events after which a caller's entries are a fair guide to what its events cost. */
const TRUSTED_AFTER = 8;
/** The bucket of all callers together. */
const ALL = Symbol('all callers');
type Key = string | typeof ALL;

/**
 * The CPU that the callers of an app's services have used of it, each and together, draining
 * over a minute (leaky buckets): one caller's calls may use at most half of the app's CPU per
 * minute and all callers' three quarters, so that no caller can spend the app's minute for its
 * other callers and its own events. Each event is charged its own work only (open-events.ts), so
 * a caller pays for exactly the events it caused. A call past a share is refused before its
 * event starts: when it arrives, and again when its turn comes to enter the isolate. Events
 * started and not yet settled count ahead of their cost, at twice the most one of the caller's
 * entries used lately (and at least half an event's budget until 8 of its events have settled,
 * as the entries that start events are often the light ones), so that calls let in together do
 * not start far past the share.
 */
export class CallerShares {
  private readonly used = new Map<Key, { ms: number; at: number }>();
  private readonly open = new Map<string, number>();
  /** The most one entry for the caller's events used lately (ms), fading with each entry. */
  private readonly perEntry = new Map<string, number>();
  /** Events of the caller that settled (up to the 8 that make its entries' figure trusted). */
  private readonly seen = new Map<string, number>();
  /** What each caller's started events are counted for (ms), and their sum: refusal runs twice per call. */
  private readonly counted = new Map<string, number>();
  private countedSum = 0;

  constructor(private readonly limits: AppLimits) {}

  /** An entry for an event that `caller` caused used `cpu` (ns). */
  charge(caller: string | undefined, cpu: bigint): void {
    if (caller === undefined) return;
    const now = Date.now();
    const ms = Number(cpu) / Number(NS_PER_MS);
    for (const key of [caller, ALL] as const) this.used.set(key, { ms: this.usedNow(key, now) + ms, at: now });
    this.perEntry.set(caller, Math.max(ms, (this.perEntry.get(caller) ?? ms) * 0.99));
    this.recount(caller);
  }

  /** An event `caller` caused starts (its first entry goes in). */
  started(caller: string | undefined): void {
    if (caller === undefined) return;
    this.open.set(caller, (this.open.get(caller) ?? 0) + 1);
    this.recount(caller);
  }

  settled(caller: string): void {
    this.seen.set(caller, Math.min(TRUSTED_AFTER, (this.seen.get(caller) ?? 0) + 1));
    const open = (this.open.get(caller) ?? 1) - 1;
    if (open > 0) this.open.set(caller, open);
    else this.open.delete(caller);
    this.recount(caller);
  }

  /** Why a call from `caller` may not start an event now (not counted as the app's failure), or null. */
  refusal(caller: string | undefined): EventFailure | null {
    if (caller === undefined) return null;
    const now = Date.now();
    for (const [key, whose, counted] of [
      [caller, `Calls from ${caller}`, this.counted.get(caller) ?? 0],
      [ALL, `Calls from the app's callers together`, this.countedSum],
    ] as const) {
      const shareMs = this.shareMs(key);
      const ms = this.usedNow(key, now);
      if (ms + counted < shareMs) continue;
      const retryAfterMs = Math.ceil((Math.max(0, ms + counted - shareMs) * MINUTE_MS) / shareMs) + 1;
      const message = `${whose} used ${Math.round(ms)} ms of the app's CPU in the last minute, and calls under way are counted for ${Math.round(counted)} ms more: their share is ${shareMs} ms.`;
      return new EventFailure('caller_share', message, undefined, retryAfterMs);
    }
    return null;
  }

  private recount(caller: string): void {
    const before = this.counted.get(caller) ?? 0;
    const now = this.ahead(caller);
    if (now > 0) this.counted.set(caller, now);
    else this.counted.delete(caller);
    // Floating-point sums drift: start again from zero whenever nothing is counted.
    this.countedSum = this.counted.size === 0 ? 0 : this.countedSum + now - before;
  }

  /** What the caller's started events are counted for before their cost is known (ms). */
  private ahead(caller: string): number {
    const budget = this.limits.cpuMsPerEvent;
    const least = (this.seen.get(caller) ?? 0) < TRUSTED_AFTER ? budget / 2 : 1;
    const each = Math.max(least, 2 * (this.perEntry.get(caller) ?? 0));
    return (this.open.get(caller) ?? 0) * Math.min(budget, each);
  }

  private shareMs(key: Key): number {
    return this.limits.cpuMsPerMinute * (key === ALL ? CALLERS_SHARE : CALLER_SHARE);
  }

  private usedNow(key: Key, now: number): number {
    const last = this.used.get(key);
    if (!last) return 0;
    const drained = ((now - last.at) * this.shareMs(key)) / MINUTE_MS;
    if (last.ms > drained) return last.ms - drained;
    this.used.delete(key);
    return 0;
  }
}

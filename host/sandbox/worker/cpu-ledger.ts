const MINUTE_MS = 60_000;
/** Samples are kept at least this far apart (but for the newest): a minute holds about 600. */
const SAMPLE_MS = 100;
export const NS_PER_MS = 1_000_000n;

/**
 * An isolate's CPU time over the rolling minute. Every entry into the isolate counts, whether an
 * event is open or not, so work an event left running (a detached promise, a loop after an
 * await) spends the same budget as the event itself.
 */
export class CpuLedger {
  /** The isolate's total CPU time after each entry; the oldest is at or before the minute's start. */
  private readonly samples: { at: number; total: bigint }[] = [{ at: Date.now(), total: 0n }];
  private last = 0n;

  constructor(private readonly total: () => bigint | null) {}

  /** Records the isolate's CPU time now (after an entry returns). */
  sample(): void {
    const total = this.total();
    if (total === null) return;
    this.last = total;
    const now = Date.now();
    const n = this.samples.length;
    // The newest sample moves forward until it is SAMPLE_MS past the one before it.
    if (n > 2 && now - this.samples[n - 2]!.at < SAMPLE_MS) this.samples[n - 1] = { at: now, total };
    else this.samples.push({ at: now, total });
  }

  /** CPU time in the last minute, in nanoseconds. */
  lastMinute(): bigint {
    const since = Date.now() - MINUTE_MS;
    while (this.samples.length > 1 && this.samples[1]!.at <= since) this.samples.shift();
    const latest = this.total() ?? this.last;
    return latest - this.samples[0]!.total;
  }

  /** True once the minute's budget (in ms) is spent. */
  spent(budgetMs: number): boolean {
    return this.lastMinute() > BigInt(budgetMs) * NS_PER_MS;
  }
}

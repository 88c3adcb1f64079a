/** A watch on the entry the isolate runs now (entry-watch.ts), started when it becomes the oldest. */
export type WatchEntry = () => { done(): void };

/**
 * The entries sent into an app's isolate and not yet returned, with the event each works for.
 * The isolate runs them one after another in the order sent, and their returns reach the worker's
 * thread in that order, after the messages each sent: so the oldest is the one running, a message
 * comes from it, and the isolate's CPU time between two returns is the later entry's. (Read on
 * the worker's thread, a return's CPU time may include the start of the next entry, as much as
 * the thread takes to notice the return; that much may be charged to the wrong event.)
 */
export class EntriesInFlight {
  private readonly events: (number | null)[] = [];
  private watch: { done(): void } | null = null;
  private cpuAtLastReturn = 0n;
  /** The event of the entry running now, or of the last one to run. */
  current: number | null = null;

  constructor(
    private readonly cpuNow: () => bigint,
    private readonly watchEntry: WatchEntry,
  ) {}

  get size(): number {
    return this.events.length;
  }

  has(event: number): boolean {
    return this.events.includes(event);
  }

  sent(event: number | null): void {
    this.events.push(event);
    if (this.events.length > 1) return;
    this.cpuAtLastReturn = this.cpuNow();
    this.running();
  }

  /** The oldest entry returned: the CPU (ns) it used; the next one is watched now. */
  returned(): bigint {
    this.events.shift();
    const now = this.cpuNow();
    const cpu = now - this.cpuAtLastReturn;
    this.cpuAtLastReturn = now;
    this.watch?.done();
    this.watch = null;
    if (this.events.length > 0) this.running();
    return cpu;
  }

  private running(): void {
    this.current = this.events[0] ?? null;
    this.watch = this.watchEntry();
  }
}

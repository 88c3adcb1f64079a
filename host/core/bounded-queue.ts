/**
 * Work done beside the hot path: at most `size` items wait and at most `concurrency` runs go at
 * once, each taking up to `maxBatch` items (default 1). A push onto a full queue is refused at
 * once (the caller counts the drop), so a burst or a slow push service costs a bounded amount of
 * memory and never holds up whoever pushes.
 */
export class BoundedQueue<T> {
  private readonly waiting: T[] = [];
  private head = 0;
  private running = 0;
  private runningItems = 0;
  private stopped = false;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly options: {
      size: number;
      concurrency: number;
      /** Items one run takes: what waits when a run starts, up to this many. */
      maxBatch?: number;
      /** Runs items; what it throws is its own business (it logs), never the queue's. */
      run: (items: T[]) => Promise<void>;
    },
  ) {}

  get pending(): number {
    return this.waiting.length - this.head;
  }

  /** Items waiting or running. */
  get busy(): number {
    return this.pending + this.runningItems;
  }

  /** False when the queue is full or stopped: the item was not taken. */
  offer(item: T): boolean {
    if (this.stopped || this.pending >= this.options.size) return false;
    this.waiting.push(item);
    this.pump();
    return true;
  }

  /** Takes nothing more, lets go of what waits, and resolves once the items running have finished. */
  stop(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    this.head = 0;
    if (this.running === 0 && this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.pending > 0) {
      const take = Math.min(this.pending, this.options.maxBatch ?? 1);
      const items = this.waiting.slice(this.head, this.head + take);
      this.head += take;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      this.running++;
      this.runningItems += items.length;
      void this.options
        .run(items)
        // run() logs its own failures; the queue only needs to go on.
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.runningItems -= items.length;
          this.pump();
          if (this.running === 0 && this.pending === 0) for (const done of this.idle.splice(0)) done();
        });
    }
  }
}

interface Waiting<T> { item: T; resolve(): void; reject(error: unknown): void }

/**
 * Group commit for the per-message path: items that arrive while a batch is being written wait
 * for the next batch, so a burst of customer messages costs a few statements per batch instead
 * of a few per message. Each pusher learns whether its batch was written.
 */
export class GroupQueue<T> {
  private queue: Waiting<T>[] = [];
  private inFlight = 0;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxBatch = 256,
    private readonly maxInFlight = 2,
  ) {}

  push(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.inFlight < this.maxInFlight) {
        this.inFlight++;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          await this.flush(batch.map((w) => w.item));
          for (const w of batch) w.resolve();
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.inFlight--;
    }
  }
}

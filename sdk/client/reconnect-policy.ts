/**
 * Delays between reconnect attempts: doubling from `initialDelayMs` up to `maxDelayMs`, each drawn
 * between half and all of that step, so clients cut off together (a host restart) do not all come
 * back in the same instant.
 */
export class ReconnectPolicy {
  private attempt = 0;

  constructor(
    private readonly initialDelayMs = 500,
    private readonly maxDelayMs = 15_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; at least `floorMs` (the host asked us to stay away longer). */
  nextDelay(floorMs = 0): number {
    const step = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.attempt);
    if (step < this.maxDelayMs) this.attempt++;
    return Math.max(Math.min(floorMs, this.maxDelayMs), step / 2 + (this.random() * step) / 2);
  }

  /** After a connection came online: the next loss starts again from the initial delay. */
  reset(): void {
    this.attempt = 0;
  }
}

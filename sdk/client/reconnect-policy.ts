/**
 * Delays between attempts: doubling from `initialDelayMs` up to `maxDelayMs`, each drawn between
 * half and all of that step, so clients cut off together (a host restart) do not all come back in
 * the same instant.
 */
export class ReconnectPolicy {
  private attempt = 0;

  /** `ClientOptions.reconnect`: 500 ms and 15 s unless given. */
  constructor(
    private readonly initialDelayMs = 500,
    private readonly maxDelayMs = 15_000,
  ) {}

  /** The delay after `failures` failed attempts in a row (1 for the first); at least `floorMs`. */
  delay(failures: number, floorMs = 0): number {
    const step = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** Math.max(0, failures - 1));
    return Math.max(Math.min(floorMs, this.maxDelayMs), step / 2 + (Math.random() * step) / 2);
  }

  /** The delay before the next reconnect; at least `floorMs` (the host asked us to stay away longer). */
  nextDelay(floorMs = 0): number {
    this.attempt = Math.min(this.attempt + 1, 64);
    return this.delay(this.attempt, floorMs);
  }

  /** After a connection came online: the next loss starts again from the initial delay. */
  reset(): void {
    this.attempt = 0;
  }
}

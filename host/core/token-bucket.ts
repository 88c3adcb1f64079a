/** Per-connection frame budget: `rate` per second on average, bursts up to `capacity`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt = Date.now();
  private refusedInWindow = 0;
  private windowStart = Date.now();

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
  ) {
    this.tokens = capacity;
  }

  /** Takes a token; false when the budget is spent. */
  take(now = Date.now()): boolean {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.refusedInWindow = 0;
    }
    this.refusedInWindow++;
    return false;
  }

  /** Milliseconds until the next token. */
  retryAfterMs(): number {
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
  }

  /** Frames refused in the current one-second window. */
  get refused(): number {
    return this.refusedInWindow;
  }
}

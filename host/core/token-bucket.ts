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

  /** Takes a token (or `amount` of them); false when the budget is spent. */
  take(now = Date.now(), amount = 1): boolean {
    this.refill(now);
    if (this.tokens >= amount) {
      this.tokens -= amount;
      return true;
    }
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.refusedInWindow = 0;
    }
    this.refusedInWindow++;
    return false;
  }

  /** Whether `amount` tokens are there now, taking none. */
  holds(amount: number, now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= amount;
  }

  /** Milliseconds until the next token (or `amount` of them). */
  retryAfterMs(amount = 1): number {
    return Math.max(1, Math.ceil(((amount - this.tokens) / this.rate) * 1000));
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = now;
  }

  /** Frames refused in the current one-second window. */
  get refused(): number {
    return this.refusedInWindow;
  }
}

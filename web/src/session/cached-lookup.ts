/** How long a failed lookup waits before it is tried again (a person asked about while offline, say). */
const RETRY_AFTER_MS = 10_000;

/**
 * Values fetched once per key and kept for the session (a user by id, the other person of a direct
 * conversation), or fetched again once older than `maxAgeMs` (the stale value is served meanwhile).
 * Reading a key not known yet starts its fetch; listeners hear when one arrives or fails, so a
 * screen renders with what is known and again when the rest comes. Subscribe in a layout effect:
 * a fetch the render started can finish before a plain effect runs (it waits for a paint), and its
 * news then reached no one, leaving a name as "Someone" for good.
 */
export class CachedLookup<V> {
  private readonly values = new Map<string, { value: V; at: number }>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, { error: unknown; at: number }>();
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly fetchValue: (key: string) => Promise<V>,
    private readonly maxAgeMs = Infinity,
  ) {}

  /** The value if known; the fetch starts if it is not or is too old (unless it failed a moment ago). */
  get(key: string): V | undefined {
    const known = this.values.get(key);
    const failed = this.failures.get(key);
    const due = !known || Date.now() - known.at > this.maxAgeMs;
    if (due && !this.loading.has(key) && (!failed || Date.now() - failed.at > RETRY_AFTER_MS)) void this.load(key);
    return known?.value;
  }

  /**
   * The value, for code that needs it before it can go on: a known one at once, else the fetch under
   * way (or a new one) is awaited; rejects with the fetch's error.
   */
  async value(key: string): Promise<V> {
    const known = this.values.get(key);
    if (known && Date.now() - known.at <= this.maxAgeMs) return known.value;
    await (this.loading.get(key) ?? this.load(key));
    const failed = this.failures.get(key);
    if (failed) throw failed.error;
    return this.values.get(key)!.value;
  }

  /** Why the last fetch of the key failed; undefined once it succeeded. */
  error(key: string): unknown {
    return this.failures.get(key)?.error;
  }

  /** A value learnt another way (the signed-in user, a user found by handle). */
  seed(key: string, value: V): void {
    const same = this.values.get(key)?.value === value;
    this.values.set(key, { value, at: Date.now() });
    if (!same) this.notify();
  }

  /** Fetches every known value again (served as it was meanwhile): after news of them may have been missed. */
  refreshAll(): void {
    for (const key of this.values.keys()) if (!this.loading.has(key)) void this.load(key);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Settles when the fetch has: its value is then known, or its failure kept. */
  private load(key: string): Promise<void> {
    const loading = this.fetchValue(key).then(
      (value) => {
        this.loading.delete(key);
        this.failures.delete(key);
        this.seed(key, value);
      },
      (error: unknown) => {
        // Shown as unknown (or as this error) meanwhile; a later read tries again after RETRY_AFTER_MS.
        this.loading.delete(key);
        this.failures.set(key, { error, at: Date.now() });
        this.notify();
        // Screens showing the failure read again once the retry is due, so a passing fault
        // (a request lost while reconnecting) clears by itself rather than at the next keystroke.
        if (this.listeners.size > 0) setTimeout(() => this.notify(), RETRY_AFTER_MS + 1);
      },
    );
    this.loading.set(key, loading);
    return loading;
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

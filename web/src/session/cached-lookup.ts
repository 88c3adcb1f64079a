/** How long a failed lookup waits before it is tried again (a person asked about while offline, say). */
const RETRY_AFTER_MS = 10_000;

export interface CachedLookupLimits {
  /** Older values are fetched again when read (served as they are meanwhile); default never. */
  maxAgeMs?: number;
  /** The most values kept (and failures); default no limit. */
  maxEntries?: number;
}

/**
 * Values fetched once per key and kept for the session (a user by id, the other person of a direct
 * conversation), or fetched again once older than `maxAgeMs` (the stale value is served meanwhile).
 * With `maxEntries`, only that many are kept (and as many failures): the least recently read or
 * learnt goes first, and is fetched again if read again. Reading a key not known yet starts its
 * fetch; listeners hear when one arrives or fails, so a screen renders with what is known and
 * again when the rest comes. Subscribe in a layout effect: a fetch the render started can finish
 * before a plain effect runs (it waits for a paint), and its news then reached no one, leaving a
 * name as "Someone" for good.
 */
export class CachedLookup<V> {
  private readonly values = new Map<string, { value: V; at: number }>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly failures = new Map<string, { error: unknown; at: number }>();
  private readonly listeners = new Set<() => void>();

  private readonly maxAgeMs: number;
  private readonly maxEntries: number;

  constructor(
    private readonly fetchValue: (key: string) => Promise<V>,
    { maxAgeMs = Infinity, maxEntries = Infinity }: CachedLookupLimits = {},
  ) {
    this.maxAgeMs = maxAgeMs;
    this.maxEntries = maxEntries;
  }

  /** The value if known; the fetch starts if it is not or is too old (unless it failed a moment ago). */
  get(key: string): V | undefined {
    const known = this.values.get(key);
    if (known) this.keep(this.values, key, known);
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
    if (known && Date.now() - known.at <= this.maxAgeMs) {
      this.keep(this.values, key, known);
      return known.value;
    }
    await (this.loading.get(key) ?? this.load(key));
    const failed = this.failures.get(key);
    if (failed) throw failed.error;
    const loaded = this.values.get(key);
    // Gone already only when more than maxEntries others arrived meanwhile: fetched again.
    return loaded ? loaded.value : this.value(key);
  }

  /** Why the last fetch of the key failed; undefined once it succeeded. */
  error(key: string): unknown {
    return this.failures.get(key)?.error;
  }

  /** A value learnt another way (the signed-in user, a user found by handle). */
  seed(key: string, value: V): void {
    const same = this.values.get(key)?.value === value;
    this.keep(this.values, key, { value, at: Date.now() });
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
        this.keep(this.failures, key, { error, at: Date.now() });
        this.notify();
        // Screens showing the failure read again once the retry is due, so a passing fault
        // (a request lost while reconnecting) clears by itself rather than at the next keystroke.
        if (this.listeners.size > 0) setTimeout(() => this.notify(), RETRY_AFTER_MS + 1);
      },
    );
    this.loading.set(key, loading);
    return loading;
  }

  /**
   * Sets the key as the most recently used of `map` (a Map iterates in insertion order, so the
   * first key is the least recent), and lets the least recent go past `maxEntries`.
   */
  private keep<T>(map: Map<string, T>, key: string, entry: T): void {
    if (this.maxEntries === Infinity) {
      map.set(key, entry);
      return;
    }
    map.delete(key);
    map.set(key, entry);
    for (const oldest of map.keys()) {
      if (map.size <= this.maxEntries) break;
      map.delete(oldest);
    }
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

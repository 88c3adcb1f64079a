/** How long a failed lookup waits before it is tried again (a person asked about while offline, say). */
const RETRY_AFTER_MS = 10_000;

/**
 * Values fetched once per key and kept for the session (a user by id, the other person of a direct
 * conversation). Reading a key not known yet starts its fetch; listeners hear when one arrives, so a
 * screen renders with what is known and again when the rest comes.
 */
export class CachedLookup<V> {
  private readonly values = new Map<string, V>();
  private readonly loading = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly fetchValue: (key: string) => Promise<V>) {}

  /** The value if known; otherwise undefined, and the fetch starts (unless it failed a moment ago). */
  get(key: string): V | undefined {
    if (this.values.has(key)) return this.values.get(key);
    const failed = this.failedAt.get(key);
    if (!this.loading.has(key) && (failed === undefined || Date.now() - failed > RETRY_AFTER_MS)) this.load(key);
    return undefined;
  }

  /** A value learnt another way (the signed-in user, a user found by handle). */
  seed(key: string, value: V): void {
    if (this.values.has(key) && this.values.get(key) === value) return;
    this.values.set(key, value);
    this.notify();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private load(key: string): void {
    this.loading.add(key);
    this.fetchValue(key).then(
      (value) => {
        this.loading.delete(key);
        this.failedAt.delete(key);
        this.seed(key, value);
      },
      () => {
        // Shown as unknown meanwhile; a later read tries again once RETRY_AFTER_MS has passed.
        this.loading.delete(key);
        this.failedAt.set(key, Date.now());
      },
    );
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

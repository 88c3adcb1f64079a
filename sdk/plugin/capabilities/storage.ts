/** The storage capability: a plugin's own versioned key-value store. Part of PluginContext (../plugin-context.ts). */

export interface StoredValue<T = unknown> {
  readonly value: T;
  /** Increases by one at every write; pass it back as `ifVersion` for compare-and-set. */
  readonly version: number;
  readonly expiresAt: string | null;
}

/** permission storage: the plugin's own keys, within its quota (scope.quotaBytes). */
export interface StorageCapability {
  get<T = unknown>(key: string): Promise<StoredValue<T> | null>;
  /**
   * Writes a JSON value. `ifVersion: n` writes only if the current version is n, `ifVersion: 0`
   * only if the key is absent; otherwise the write fails with storage_conflict.
   */
  set(key: string, value: unknown, options?: { ttlSeconds?: number; ifVersion?: number }): Promise<{ version: number }>;
  /** Returns whether a key was deleted. `ifVersion` as for set. */
  delete(key: string, options?: { ifVersion?: number }): Promise<boolean>;
  /** Keys starting with `prefix`, in key order; pass `after` (the last key seen) to page. */
  list<T = unknown>(
    prefix: string,
    options?: { after?: string; limit?: number },
  ): Promise<{ entries: { key: string; value: T; version: number }[]; hasMore: boolean }>;
  usage(): Promise<{ bytes: number; quotaBytes: number }>;
}

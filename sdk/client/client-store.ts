/**
 * Where the client keeps what must survive a reload: the outbox, the conversation list, and the
 * latest messages and resume position of each conversation. Synchronous, like localStorage, so a
 * send is stored before send() returns.
 */
export interface ClientStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** A store in memory: nothing survives the process, but a new client on the same store resumes. */
export function memoryStore(): ClientStore {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => void values.set(key, value),
    delete: (key) => void values.delete(key),
  };
}

/** The browser's `localStorage`, every key under `prefix` so several apps can share an origin. */
export function localStorageStore(prefix = 'switchboard:'): ClientStore {
  const storage = (globalThis as { localStorage?: Storage }).localStorage;
  if (!storage) throw new Error('localStorage is not available here; pass another ClientStore.');
  return {
    get: (key) => storage.getItem(prefix + key),
    set: (key, value) => storage.setItem(prefix + key, value),
    delete: (key) => storage.removeItem(prefix + key),
  };
}

/** The subset of the DOM's Storage used above (the SDK is type-checked without the DOM library). */
interface Storage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** A stored JSON value, or null when absent or unreadable (a store edited by hand, an older format). */
export function readJson<T>(store: ClientStore, key: string): T | null {
  const text = store.get(key);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    // Unreadable state is treated as absent: the host is the source of truth and refills it.
    return null;
  }
}

/** Writes a JSON value; a full store (quota) is reported, not thrown, so live updates keep flowing. */
export function writeJson(store: ClientStore, key: string, value: unknown, onError: (error: unknown) => void): boolean {
  try {
    store.set(key, JSON.stringify(value));
    return true;
  } catch (error) {
    onError(error);
    return false;
  }
}

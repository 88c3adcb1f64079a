import type { CommandReply, StorageCapability, StoredValue } from './plugin-context.js';

/** What a change decides after reading the key: write a new value, or leave the key as it is. */
export type StoredDecision<T, R> = { write: T; result: R } | { result: R };

export interface StoredUpdate<T, R> {
  result: R;
  /** The value now stored (the one written, or the one read when nothing was written); null if absent. */
  value: T | null;
  /** Its version, to tell later whether someone wrote since. */
  version: number;
  wrote: boolean;
}

/**
 * Read, decide, write only if nobody wrote in between (ifVersion). On a conflict, read and
 * decide again: concurrent updates (two people voting at the same moment) are applied one
 * after the other and none is lost. Each round at least one writer wins, so the attempts only
 * need to exceed how many write the same key at once.
 */
export async function updateStored<T, R>(
  storage: StorageCapability,
  key: string,
  decide: (current: StoredValue<T> | null) => StoredDecision<T, R>,
  maxAttempts = 50,
): Promise<StoredUpdate<T, R>> {
  for (let attempt = 1; ; attempt++) {
    const current = await storage.get<T>(key);
    const decision = decide(current);
    if (!('write' in decision))
      return { result: decision.result, value: current?.value ?? null, version: current?.version ?? 0, wrote: false };
    try {
      const { version } = await storage.set(key, decision.write, { ifVersion: current?.version ?? 0 });
      return { result: decision.result, value: decision.write, version, wrote: true };
    } catch (err) {
      if (errorCodeOf(err) !== 'storage_conflict' || attempt >= maxAttempts) throw err;
    }
  }
}

/** The catalog code of an error from a capability call (null for an error without one). */
export function errorCodeOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/**
 * Wraps a command or postback handler: when the plugin's storage quota is full (for the operator
 * to fix), the user gets `text` saying so instead of a bare "plugin failed". Other errors stay
 * errors, and are logged against the plugin.
 */
export function whenStorageFull<A>(
  text: string,
  handler: (input: A) => Promise<CommandReply | undefined>,
): (input: A) => Promise<CommandReply | undefined> {
  return async (input) => {
    try {
      return await handler(input);
    } catch (err) {
      if (errorCodeOf(err) !== 'storage_quota_exceeded') throw err;
      return { text };
    }
  };
}

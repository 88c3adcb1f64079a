/** A commit function for GroupCommitQueue tests that records its batches and can hold each one. */
import type { GroupCommitOutcome } from '../../sdk/index.js';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Two turns of the event loop: a queue that were to start another batch (it yields one
 * setImmediate first) would have reached its commit by then. Only ever before a negative assertion.
 */
export async function turns(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}

export const doubled = (items: number[]): Promise<GroupCommitOutcome<number>[]> =>
  Promise.resolve(items.map((n) => ({ ok: true, value: n * 2 })));

/** A commit that records its batches and, when `hold` is set, waits for the test to release each one. */
export function recorder(options: { hold?: boolean } = {}) {
  const batches: number[][] = [];
  const releases: Deferred<void>[] = [];
  let started = deferred<number[]>();
  let inFlight = 0;
  let maxSeen = 0;
  const commit = async (items: number[]): Promise<GroupCommitOutcome<number>[]> => {
    batches.push([...items]);
    inFlight++;
    maxSeen = Math.max(maxSeen, inFlight);
    const release = deferred();
    releases.push(release);
    const told = started;
    started = deferred();
    told.resolve(items);
    if (options.hold) await release.promise;
    inFlight--;
    return doubled(items);
  };
  return {
    commit,
    batches,
    releases,
    /** The next batch to reach commit. */
    nextBatch: () => started.promise,
    maxInFlight: () => maxSeen,
  };
}

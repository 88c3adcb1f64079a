import { SwitchboardError } from '../errors/switchboard-error.js';

/** How one item of a committed batch ended. */
export type GroupCommitOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions<T, R> {
  /**
   * Writes a batch, usually in one transaction. Returns one outcome per item, in the batch's
   * order, so that one item's own error fails only that item; or nothing, when every item
   * succeeds alike (R is then void). Throwing means the batch as a whole failed.
   */
  commit(items: T[]): Promise<readonly GroupCommitOutcome<R>[] | (void extends R ? void : never)>;
  /** Most items in one batch. */
  maxBatch: number;
  /**
   * Batches committed at once (default 1). A later batch's reads then overlap an earlier one's
   * commit; items still leave the queue in order.
   */
  maxInFlight?: number;
  /**
   * With maxInFlight above 1: another batch starts beside those in flight only once this many
   * items wait (default 1). Below it, they wait for the batch in flight and go out together, so
   * a light load costs one transaction at a time and the database is not asked for concurrent
   * commits it would only queue; a backlog still spreads over every batch allowed.
   */
  overlapAt?: number;
  /**
   * Which items must not commit concurrently (a conversation, an account). Batches in flight
   * never share a key, and one key's items commit in the order they were pushed; items of
   * other keys pass them. Without it, items leave the queue strictly in order.
   */
  keyOf?(item: T): string;
  /**
   * For items no caller waits on promptly (an audit trail): the queue starts a batch at most once
   * in this many milliseconds, and the first item after a quiet spell waits as long, unless
   * maxBatch items wait; a steady trickle then shares fewer, larger commits (default 0: at once).
   * stop() cuts the wait short.
   */
  gatherMs?: number;
  /**
   * When `commit` throws, commit the batch's items again one by one, so that one bad item cannot
   * fail its neighbours: 'never' (every item fails with the error; the default), 'several' (only
   * a batch of more than one item: a lone item has already failed alone), or 'always' (a lone
   * item too: a commit that lost a race with another writer may find its result the second time).
   */
  retryAlone?: 'never' | 'several' | 'always';
  /** Told before a failed batch is retried item by item (to log it, say). Must not throw. */
  onRetry?(error: unknown, size: number): void;
  /** What the items of a commit that failed for good are rejected with (default: its error as is). Must not throw. */
  failure?(error: unknown): unknown;
  /** What a push after stop() is rejected with (default: shutting_down). */
  stopped?(): Error;
}

interface Waiting<T, R> {
  item: T;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items pushed while a batch commits wait for the next one, so a burst costs one
 * transaction (and one fsync) per batch rather than per item. Each pusher still learns its own
 * item's outcome. Items pushed in the same turn of the event loop share a batch.
 */
export class GroupCommitQueue<T, R = void> {
  private readonly waiting: Waiting<T, R>[] = [];
  /** Drains running; each takes batches until the queue is empty. */
  private inFlight = 0;
  /** stop() callers waiting for the last drain to end. */
  private readonly idle: (() => void)[] = [];
  private readonly maxInFlight: number;
  private readonly overlapAt: number;
  private readonly retryAlone: 'never' | 'several' | 'always';
  /** Keys of the batches in flight (keyOf only). */
  private readonly busyKeys = new Set<string>();
  /** Drains waiting out gatherMs: each ends its wait when called. */
  private readonly gathering = new Set<() => void>();
  /** With gatherMs: no batch starts before this time (performance.now()). */
  private gatherUntil = 0;
  private isStopped = false;

  constructor(private readonly options: GroupCommitOptions<T, R>) {
    this.maxInFlight = options.maxInFlight ?? 1;
    this.overlapAt = options.overlapAt ?? 1;
    this.retryAlone = options.retryAlone ?? 'never';
    if (!(options.maxBatch >= 1) || !(this.maxInFlight >= 1))
      throw new RangeError('maxBatch and maxInFlight must be at least 1');
    if (!((options.gatherMs ?? 0) >= 0)) throw new RangeError('gatherMs must be 0 or more');
  }

  /** Resolves with the item's own outcome once its batch has committed. */
  push(item: T): Promise<R> {
    if (this.isStopped)
      return Promise.reject(this.options.stopped ? this.options.stopped() : new SwitchboardError('shutting_down'));
    return new Promise<R>((resolve, reject) => {
      const gatherMs = this.options.gatherMs ?? 0;
      if (gatherMs > 0 && this.waiting.length === 0) {
        const now = performance.now();
        if (this.gatherUntil < now) this.gatherUntil = now + gatherMs;
      }
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.options.maxBatch) this.endGathering();
      if (this.inFlight === 0 || (this.inFlight < this.maxInFlight && this.waiting.length >= this.overlapAt)) {
        this.inFlight++;
        void this.drain();
      }
    });
  }

  /** Finishes every queued item, and from now on refuses new ones. */
  async stop(): Promise<void> {
    this.isStopped = true;
    this.endGathering();
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private async drain(): Promise<void> {
    try {
      // Yield once so that items pushed in the same tick join the first batch.
      await new Promise((resolve) => setImmediate(resolve));
      for (;;) {
        await this.gather();
        const { batch, keys } = this.take();
        if (batch.length > 0 && this.options.gatherMs) this.gatherUntil = performance.now() + this.options.gatherMs;
        if (batch.length === 0) break;
        try {
          await this.commit(batch, this.retryAlone === 'always' || (this.retryAlone === 'several' && batch.length > 1));
        } finally {
          for (const key of keys) this.busyKeys.delete(key);
        }
      }
    } finally {
      // In the same step as the empty-queue check: a drain that ends later (in a .finally(), say)
      // leaves a window in which a push sees it running, starts none, and is never committed.
      this.inFlight--;
      if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  /**
   * Waits until gatherUntil, unless maxBatch items wait or the queue stops. Every drain waits for
   * the same time, which the one that takes a batch moves on, so drains started one after another
   * do not each commit the few items that came since.
   */
  private async gather(): Promise<void> {
    for (;;) {
      const wait = this.gatherUntil - performance.now();
      const full = this.waiting.length >= this.options.maxBatch;
      if (wait <= 0 || this.isStopped || full || this.waiting.length === 0) return;
      await this.sleep(wait);
    }
  }

  private sleep(wait: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.gathering.delete(end);
        resolve();
      };
      const timer = setTimeout(end, wait);
      this.gathering.add(end);
    });
  }

  private endGathering(): void {
    for (const end of [...this.gathering]) end();
  }

  /**
   * The next batch: the oldest items, skipping (with keyOf) those whose key another batch in
   * flight holds. A skipped key's later items are skipped too, since it stays busy, so each
   * key's items still commit in order.
   */
  private take(): { batch: Waiting<T, R>[]; keys: Set<string> } {
    const { options } = this;
    if (!options.keyOf) return { batch: this.waiting.splice(0, this.options.maxBatch), keys: new Set() };
    const batch: Waiting<T, R>[] = [];
    const keys = new Set<string>();
    let kept = 0;
    for (let i = 0; i < this.waiting.length; i++) {
      const w = this.waiting[i]!;
      const key = batch.length < this.options.maxBatch ? options.keyOf(w.item) : undefined;
      if (key !== undefined && (keys.has(key) || !this.busyKeys.has(key))) {
        keys.add(key);
        batch.push(w);
      } else this.waiting[kept++] = w;
    }
    this.waiting.length = kept;
    for (const key of keys) this.busyKeys.add(key);
    return { batch, keys };
  }

  private async commit(batch: Waiting<T, R>[], retryAlone: boolean): Promise<void> {
    let outcomes: readonly GroupCommitOutcome<R>[] | void;
    try {
      outcomes = await this.options.commit(batch.map((w) => w.item));
    } catch (error) {
      if (retryAlone) {
        this.options.onRetry?.(error, batch.length);
        for (const w of batch) await this.commit([w], false);
        return;
      }
      const reason = this.options.failure ? this.options.failure(error) : error;
      for (const w of batch) w.reject(reason);
      return;
    }
    if (!outcomes) {
      for (const w of batch) w.resolve(undefined as R);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i];
      if (!outcome) batch[i]!.reject(new Error(`group commit: no outcome for item ${i} of ${batch.length}`));
      else if (outcome.ok) batch[i]!.resolve(outcome.value);
      else batch[i]!.reject(outcome.error);
    }
  }
}

import type { Knex } from 'knex';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';

/** How long a handled event may wait for a writer's transaction before it is deleted on its own. */
const FLUSH_MS = 200;
const CHUNK = 500;

/**
 * Outbox rows (by seq) whose handlers have finished, waiting to be deleted. Under load the
 * writer's next transaction deletes them, so they cost no commit of their own (on SQLite every
 * commit is an fsync); those no write took within FLUSH_MS to 2×FLUSH_MS are deleted by a
 * statement of their own. A delete that never happens (the host died) only means the event is
 * handed on again once its lease has run out: at least once.
 */
export class HandledPluginEvents {
  /** Handled since the last tick; `older` had a whole tick for a writer to take them. */
  private newer = new Set<number>();
  private older = new Set<number>();
  /** Being deleted by a writer's transaction in flight: another one, beside it, leaves them. */
  private taken = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  add(seq: number): void {
    this.newer.add(seq);
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.flushing ??= this.flushOlder().finally(() => (this.flushing = null));
    }, FLUSH_MS);
    this.timer.unref();
  }

  /** Inside a writer's transaction: deletes the handled rows; forget() them once it has committed. */
  async deleteIn(trx: Knex.Transaction): Promise<number[]> {
    // Concurrent writers deleting the same rows would wait on each other's row locks.
    const seqs = [...this.older, ...this.newer].filter((seq) => !this.taken.has(seq));
    if (seqs.length === 0) return [];
    for (const seq of seqs) this.taken.add(seq);
    await deleteRows(trx, seqs);
    return seqs;
  }

  forget(seqs: readonly number[]): void {
    for (const seq of seqs) {
      this.newer.delete(seq);
      this.older.delete(seq);
      this.taken.delete(seq);
    }
  }

  /** Deletes everything still waiting and stops the ticks. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flushing;
    this.older = new Set([...this.older, ...this.newer]);
    this.newer = new Set();
    await this.flushOlder();
  }

  private async flushOlder(): Promise<void> {
    const seqs = [...this.older];
    this.older = this.newer;
    this.newer = new Set();
    // A writer that took some and rolled back never forgets them; this delete covers them.
    for (const seq of seqs) this.taken.delete(seq);
    if (seqs.length === 0) {
      if (this.older.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
      return;
    }
    try {
      await deleteRows(this.db.knex, seqs);
    } catch (err) {
      // The rows stay and are handed on again after their lease (at least once).
      this.log.error({ err, events: seqs.length }, 'could not delete handled plugin events');
    }
  }
}

async function deleteRows(knex: Knex, seqs: readonly number[]): Promise<void> {
  for (let i = 0; i < seqs.length; i += CHUNK)
    await knex('plugin_event_outbox')
      .whereIn('seq', seqs.slice(i, i + CHUNK))
      .delete();
}

import { setImmediate as yieldToWriter } from 'node:timers/promises';
import { inject, injectable } from 'tsyringe';
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import type { HostEvent } from '../bus/event-bus.js';
import { Tokens } from '../core/container-tokens.js';
import type { NewMessageListener, OutboxBatch } from '../core/extension-points.js';
import type { Database } from '../db/open-database.js';
import { withSqliteConnection } from '../db/sqlite-connection.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import type { SearchIndexer } from './search-indexer.js';
import { indexBatch } from './sqlite-index-batch.js';

/** How long after a commit the indexer waits, so that one transaction indexes many sends' batches. */
const GATHER_MS = 100;
/** New messages that start a pass at once, without waiting GATHER_MS. */
const GATHER_ROWS = 2_048;

/** What one commit tells the indexer: how many messages it created. */
interface Created {
  readonly count: number;
}

/**
 * Indexes SQLite's messages behind the writer (migration 0024): FTS5 costs about 120 µs a commit
 * whatever the commit holds, so messages are indexed in transactions of up to 2,048, a
 * moment after they commit, instead of in each send's batch. `search_index_watermark.upto` says
 * how far the index holds every message; edits and deletes at or below it are kept by triggers
 * in their own transaction. A search first catches the index up to the newest message, so what
 * was acknowledged is found at once. The host's one SQLite connection runs the writer's and the
 * indexer's transactions in turn, so they never contend for a lock.
 */
@injectable()
export class SqliteSearchIndexer implements SearchIndexer {
  /**
   * Messages committed since the last pass began; null when unknown (before the first pass: a
   * stopped host's backlog; after a failed one). Every new message is counted before its send is
   * acknowledged (`committed` runs first), so at 0 a search has nothing to wait for.
   */
  private waiting: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;
  /** The pass that starts after `current`: every catch-up asked for meanwhile waits for this one. */
  private queued: Promise<void> | null = null;
  private stopped = false;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
  ) {}

  /** What a stopped host had not indexed yet (a kill, an import) is indexed now. */
  start(): void {
    void this.catchUp();
  }

  /** A stop indexes what is left, so the next start finds the index whole. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.catchUp();
    this.stopped = true;
    await this.queued;
    await this.current;
  }

  newMessageListeners(): readonly NewMessageListener[] {
    return [];
  }

  record(_trx: Knex.Transaction | null, events: readonly HostEvent[]): Promise<OutboxBatch | null> {
    let count = 0;
    for (const event of events) if (event.type === 'message.changed' && event.change === 'created') count++;
    return Promise.resolve(count === 0 ? null : { count });
  }

  committed(batch: OutboxBatch | null): void {
    if (batch === null || this.stopped) return;
    this.waiting = (this.waiting ?? 0) + (batch as Created).count;
    if (this.waiting >= GATHER_ROWS) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      if (this.queued === null) void this.catchUp();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        if (this.queued === null) void this.catchUp();
      }, GATHER_MS);
    }
  }

  catchUp(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    // Nothing committed since the last pass began: that pass, if it still runs, covers it all.
    if (this.waiting === 0) return this.queued ?? this.current ?? Promise.resolve();
    this.queued ??= (this.current ?? Promise.resolve()).then(() => {
      this.queued = null;
      this.current = this.pass().finally(() => (this.current = null));
      return this.current;
    });
    return this.queued;
  }

  /** Indexes up to the newest message, a share a transaction (sqlite-index-batch.ts). Never throws. */
  private async pass(): Promise<void> {
    this.waiting = 0;
    try {
      for (;;) {
        const { indexed, more } = await this.withConnection(indexBatch);
        this.metrics.searchMessagesIndexed(indexed);
        if (!more || this.stopped) return;
        await yieldToWriter();
      }
    } catch (err) {
      this.waiting = null;
      this.log.error({ err }, 'search indexing failed; new messages are not searchable until it succeeds');
    }
  }

  /** The host's one connection, held for a synchronous step: no other query runs meanwhile. */
  private withConnection<T>(step: (conn: BetterSqlite3.Database) => T): Promise<T> {
    return withSqliteConnection(this.db.knex, step);
  }
}

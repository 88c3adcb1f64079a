import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import type { HostEvent } from '../bus/event-bus.js';
import { Tokens } from '../core/container-tokens.js';
import type { OutboxBatch } from '../core/extension-points.js';
import type { Database } from '../db/open-database.js';
import { SEGMENT } from '../db/migrations/0021-search-segments.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import type { SearchIndexer } from './search-indexer.js';

/** How long conversations whose newest segment filled wait, to be built together in one statement. */
const GATHER_MS = 200;
/** How long a conversation is quiet before its newest messages are covered too (a partial segment). */
const QUIET_MS = 2_000;
/** PostgreSQL's error when a lock is not had within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';
/** How often every conversation is looked at: segments a stopped host or a direct import left. */
const SWEEP_MS = 10 * 60_000;

/** What one commit tells the builder: the conversations written to, and those whose segment filled. */
interface Written {
  readonly touched: string[];
  readonly filled: string[];
}

/**
 * Builds PostgreSQL's search segments behind the writer (migration 0021), so a search reads few
 * messages one by one:
 *   - a conversation whose newest segment a commit filled (a seq that is a multiple of SEGMENT)
 *     is built a moment later, with the others gathered meanwhile, in one statement;
 *   - a conversation quiet for QUIET_MS has its newest messages covered too, so only the last
 *     seconds of busy conversations are left to read one by one (a busy one is never quiet, so
 *     under load each message is indexed once, with its full segment);
 *   - at start and every SWEEP_MS, every conversation, for what this host did not see commit.
 */
@injectable()
export class SearchSegmentBuilder implements SearchIndexer {
  private readonly due = new Set<string>();
  /** Conversations written to and not covered since, with when they were last written to. */
  private readonly active = new Map<string, number>();
  private readonly quiet = new Set<string>();
  private gather: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private quietWatch: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private sweepWanted = false;
  private stopped = false;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
  ) {}

  start(): void {
    if (this.stopped || this.sweeper) return;
    this.sweep();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.quietWatch = setInterval(() => this.noteQuiet(), QUIET_MS / 2);
    this.sweeper.unref();
    this.quietWatch.unref();
  }

  /** Ends the timers and waits for a build in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.gather) clearTimeout(this.gather);
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.quietWatch) clearInterval(this.quietWatch);
    this.gather = this.sweeper = this.quietWatch = null;
    await this.running;
  }

  /** Nothing to wait for: a search reads what no segment covers yet one by one (segment-candidates.ts). */
  catchUp(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to write in the commit: a segment is built after it. */
  newMessageListeners(): readonly string[] {
    return [];
  }

  record(_trx: Knex.Transaction | null, events: readonly HostEvent[]): Promise<OutboxBatch | null> {
    let written: Written | null = null;
    for (const event of events) {
      if (event.type !== 'message.changed' || event.change !== 'created') continue;
      written ??= { touched: [], filled: [] };
      written.touched.push(event.message.conversationId);
      if (event.message.seq % SEGMENT === 0) written.filled.push(event.message.conversationId);
    }
    return Promise.resolve(written);
  }

  committed(batch: OutboxBatch | null): void {
    if (batch === null || this.stopped) return;
    const { touched, filled } = batch as Written;
    const now = performance.now();
    for (const id of touched) this.active.set(id, now);
    for (const id of filled) this.due.add(id);
    if (filled.length > 0)
      this.gather ??= setTimeout(() => {
        this.gather = null;
        this.next();
      }, GATHER_MS);
  }

  private noteQuiet(): void {
    const since = performance.now() - QUIET_MS;
    for (const [id, at] of this.active)
      if (at <= since) {
        this.active.delete(id);
        this.quiet.add(id);
      }
    if (this.quiet.size > 0) this.next();
  }

  private sweep(): void {
    this.sweepWanted = true;
    this.next();
  }

  /** One build at a time: a sweep, else the filled segments, else the quiet conversations. */
  private next(): void {
    if (this.running || this.stopped) return;
    let ids: string[] | null;
    let partial: boolean;
    if (this.sweepWanted) {
      [ids, partial] = [null, true];
      this.sweepWanted = false;
      this.due.clear();
      this.quiet.clear();
    } else if (this.due.size > 0 && this.gather === null) {
      [ids, partial] = [[...this.due], false];
      this.due.clear();
    } else if (this.quiet.size > 0) {
      [ids, partial] = [[...this.quiet], true];
      this.quiet.clear();
    } else return;
    this.running = this.build(ids, partial).finally(() => {
      this.running = null;
      this.next();
    });
  }

  private async build(ids: string[] | null, partial: boolean): Promise<void> {
    try {
      const { rows } = await this.db.knex.raw<{ rows: { built: string }[] }>(
        'select switchboard_build_search_segments(?::varchar[], ?) as built',
        [ids, partial],
      );
      this.metrics.searchSegmentsBuilt(Number(rows[0]!.built));
    } catch (err) {
      if (this.stopped) return;
      // An edit held a segment longer than the build waits (lock_timeout): its conversations are
      // built on the next quiet tick. Otherwise the messages stay readable one by one until the
      // next sweep.
      if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) {
        if (ids === null) this.log.warn('search segment sweep met a segment an edit held; the next sweep covers it');
        else for (const id of ids) this.quiet.add(id);
        return;
      }
      this.log.error({ err, conversations: ids?.length ?? 'all' }, 'search segment build failed');
    }
  }
}

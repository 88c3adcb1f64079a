import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import type { HostEvent } from '../bus/event-bus.js';
import { Tokens } from '../core/container-tokens.js';
import type { NewMessageListener, OutboxBatch } from '../core/extension-points.js';
import type { Message } from '../../sdk/protocol/message.js';
import type { Database } from '../db/open-database.js';
import { SEGMENT } from '../db/migrations/0021-search-segments.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import type { SearchIndexer } from './search-indexer.js';
import { SegmentWords, type GatheredSegment } from './segment-words.js';

/** How long conversations whose newest segment filled wait, to be built together in one statement. */
const GATHER_MS = 200;
/** How long a conversation is quiet before its newest messages are covered too (a partial segment). */
const QUIET_MS = 2_000;
/** PostgreSQL's error when a lock is not had within lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';
/** How often every conversation is looked at: segments a stopped host or a direct import left. */
const SWEEP_MS = 10 * 60_000;

/** What one commit tells the builder: the new messages, in the order of their seqs. */
interface Written {
  readonly created: Message[];
}

/**
 * Builds PostgreSQL's search segments behind the writer (migration 0021), so a search reads few
 * messages one by one:
 *   - a conversation whose newest segment a commit filled (a seq that is a multiple of SEGMENT)
 *     is built a moment later, with the others gathered meanwhile, in one statement: from the
 *     words this host cut as the segment's messages committed where it could (segment-words.ts,
 *     migration 0025), else from the stored messages;
 *   - a conversation quiet for QUIET_MS has its newest messages covered too, so only the last
 *     seconds of busy conversations are left to read one by one (a busy one is never quiet, so
 *     under load each message is indexed once, with its full segment);
 *   - at start and every SWEEP_MS, every conversation, for what this host did not see commit.
 */
@injectable()
export class SearchSegmentBuilder implements SearchIndexer {
  /** Conversations whose newest segment filled, with its words where this host gathered them. */
  private readonly due = new Map<string, GatheredSegment | null>();
  private readonly words = new SegmentWords();
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
  newMessageListeners(): readonly NewMessageListener[] {
    return [];
  }

  record(_trx: Knex.Transaction | null, events: readonly HostEvent[]): Promise<OutboxBatch | null> {
    let written: Written | null = null;
    for (const event of events) {
      if (event.type !== 'message.changed' || event.change !== 'created') continue;
      written ??= { created: [] };
      written.created.push(event.message);
    }
    return Promise.resolve(written);
  }

  committed(batch: OutboxBatch | null): void {
    if (batch === null || this.stopped) return;
    const now = performance.now();
    let filled = false;
    for (const message of (batch as Written).created) {
      const id = message.conversationId;
      this.active.set(id, now);
      const gathered = this.words.add(message);
      if (message.seq % SEGMENT !== 0) continue;
      // Two segments filled in one wait: the database builds both, in order.
      this.due.set(id, this.due.has(id) ? null : gathered);
      filled = true;
    }
    if (filled)
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
        this.words.forget(id);
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
    let build: Build;
    if (this.sweepWanted) {
      build = { ids: null, partial: true, gathered: [] };
      this.sweepWanted = false;
      this.due.clear();
      this.quiet.clear();
    } else if (this.due.size > 0 && this.gather === null) {
      const due = [...this.due];
      build = {
        ids: due.filter(([, gathered]) => gathered === null).map(([id]) => id),
        partial: false,
        gathered: due.flatMap(([, gathered]) => gathered ?? []),
      };
      this.due.clear();
    } else if (this.quiet.size > 0) {
      build = { ids: [...this.quiet], partial: true, gathered: [] };
      this.quiet.clear();
    } else return;
    this.running = this.build(build).finally(() => {
      this.running = null;
      this.next();
    });
  }

  private async build({ ids, partial, gathered }: Build): Promise<void> {
    try {
      if (gathered.length === 0) {
        const { rows } = await this.db.knex.raw<{ rows: { built: string }[] }>(
          'select switchboard_build_search_segments(?::varchar[], ?) as built',
          [ids, partial],
        );
        this.metrics.searchSegmentsBuilt(Number(rows[0]!.built), 'database');
        return;
      }
      const { rows } = await this.db.knex.raw<{ rows: { put: string; built: string }[] }>(
        'select put, built from switchboard_put_search_segments(?::varchar[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::varchar[])',
        [
          gathered.map((g) => g.conversationId),
          gathered.map((g) => g.firstSeq),
          gathered.map((g) => g.oldestAt),
          gathered.map((g) => g.newestAt),
          gathered.map((g) => g.words),
          ids,
        ],
      );
      this.metrics.searchSegmentsBuilt(Number(rows[0]!.put), 'host');
      this.metrics.searchSegmentsBuilt(Number(rows[0]!.built), 'database');
    } catch (err) {
      if (this.stopped) return;
      // An edit held a segment longer than the build waits (lock_timeout): its conversations are
      // built on the next quiet tick. Otherwise the messages stay readable one by one until the
      // next sweep.
      if ((err as { code?: string }).code === LOCK_NOT_AVAILABLE) {
        if (ids === null) this.log.warn('search segment sweep met a segment an edit held; the next sweep covers it');
        else for (const id of [...ids, ...gathered.map((g) => g.conversationId)]) this.quiet.add(id);
        return;
      }
      const conversations = ids === null ? 'all' : ids.length + gathered.length;
      this.log.error({ err, conversations }, 'search segment build failed');
    }
  }
}

/** One statement's work: conversations to build from their messages (null: all), and segments gathered here. */
interface Build {
  readonly ids: string[] | null;
  readonly partial: boolean;
  readonly gathered: GatheredSegment[];
}

import type { InjectionToken } from 'tsyringe';
import type { CommittedEventOutbox } from '../core/extension-points.js';

/**
 * What keeps the search index behind the writer: told of every commit (as an outbox), started
 * and stopped with the host. One per database kind: PostgreSQL's segments
 * (search-segment-builder.ts), SQLite's FTS5 table (sqlite-search-indexer.ts).
 */
export interface SearchIndexer extends CommittedEventOutbox {
  start(): void;
  /** Ends the timers; waits for the work in progress. */
  stop(): Promise<void>;
  /**
   * Resolves once the index answers for every message committed before the call: by reading
   * them one by one where the index has not reached (PostgreSQL), or by indexing them first
   * (SQLite). A failure is logged, and the search answers from what the index holds.
   */
  catchUp(): Promise<void>;
}

export const SearchIndexerToken = Symbol('SearchIndexer') as InjectionToken<SearchIndexer>;

import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';

/** Migration 0015's index: words keyed with their conversation. */
export const CONVERSATION_SEARCH_INDEX = 'messages_search_conversation_index';

/**
 * Says at start when a PostgreSQL host searches without 0015's index: the migration leaves 0009's
 * index where the btree_gin extension could not be installed, and search then works, but a common
 * word costs seconds. The operator learns why and what to run (docs/operators.md "Search index").
 */
export async function warnOfSlowSearchIndex(db: Database, log: Pick<Logger, 'warn'>): Promise<void> {
  if (db.kind !== 'postgres') return;
  const { rows } = await db.knex.raw<{ rows: unknown[] }>(
    'select 1 from pg_indexes where schemaname = current_schema() and indexname = ?',
    [CONVERSATION_SEARCH_INDEX],
  );
  if (rows.length > 0) return;
  log.warn(
    { index: CONVERSATION_SEARCH_INDEX },
    'search is slow on this database: the btree_gin extension could not be installed, so the search ' +
      'index does not key words by conversation; see docs/operators.md "Search index" for the two statements to run',
  );
}

import type { Database } from './open-database.js';
import { SQLITE_SEARCH_FILL } from './migrations/search-sql.js';

/**
 * Rebuilds the search index from the messages (`npm run migrate -- --rebuild-search`): after a
 * restore of the messages table from elsewhere, say. On SQLite it needs the host's word function
 * (db/sqlite-search-function.ts), which is why the sqlite3 shell cannot do it.
 */
export async function rebuildSearchIndex(db: Database): Promise<void> {
  if (db.kind === 'postgres') {
    await db.knex.raw('reindex index messages_search_keys_index');
    return;
  }
  await db.knex.transaction(async (trx) => {
    await trx.raw(`insert into messages_fts(messages_fts) values ('delete-all')`);
    await trx.raw(SQLITE_SEARCH_FILL);
  });
}

import type { Database } from './open-database.js';

/**
 * Rebuilds the search index from the messages (`npm run migrate -- --rebuild-search`): after a
 * restore of the messages table from elsewhere, say. On SQLite it needs the host's word function
 * (db/sqlite-search-function.ts), which is why the sqlite3 shell cannot do it.
 */
export async function rebuildSearchIndex(db: Database): Promise<void> {
  if (db.kind === 'sqlite') await db.knex.raw(`insert into messages_fts(messages_fts) values ('rebuild')`);
  else await db.knex.raw('reindex index messages_search_keys_index');
}

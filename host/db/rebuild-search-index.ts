import type { Database } from './open-database.js';
import { SQLITE_SEARCH_FILL } from './migrations/search-sql.js';
import { SEARCH_WATERMARK } from './migrations/0024-sqlite-search-behind-writer.js';

/**
 * Rebuilds the search index from the messages (`npm run migrate -- --rebuild-search`): after a
 * restore of the messages table from elsewhere, say. On SQLite it needs the host's word function
 * (db/sqlite-search-function.ts), which is why the sqlite3 shell cannot do it.
 */
export async function rebuildSearchIndex(db: Database): Promise<void> {
  if (db.kind === 'postgres') {
    // Every segment again, from the messages as they are (migration 0021).
    await db.knex.transaction(async (trx) => {
      await trx.raw('delete from search_segments');
      await trx.raw('select switchboard_build_search_segments(null, true)');
    });
    return;
  }
  await db.knex.transaction(async (trx) => {
    await trx.raw(`insert into messages_fts(messages_fts) values ('delete-all')`);
    await trx.raw(SQLITE_SEARCH_FILL);
    await trx.raw(`update ${SEARCH_WATERMARK} set upto = (select coalesce(max(rowid), 0) from messages)`);
  });
}

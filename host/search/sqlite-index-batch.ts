import type BetterSqlite3 from 'better-sqlite3';
import { SEARCH_WATERMARK } from '../db/migrations/0024-sqlite-search-behind-writer.js';
import { SQLITE_SEARCH_FILL } from '../db/migrations/search-sql.js';
import { preparedOn } from '../db/sqlite-connection.js';

/** Rowids a transaction covers at most: the writer waits a few milliseconds at most for one. */
const BATCH_ROWS = 2_048;

/**
 * One transaction's share: the messages it indexed, and whether there is more. Its commit is not
 * synced to disk (`synchronous = NORMAL` for it alone; the writer's commits are): lost in a power
 * cut, it is rolled back whole, index and watermark together, and done again. The writer's next
 * commit syncs it, as the write-ahead log is written in order. The caller holds the host's one
 * connection throughout, so no other commit runs unsynced.
 */
export function indexBatch(conn: BetterSqlite3.Database): { indexed: number; more: boolean } {
  const synchronous = conn.pragma('synchronous', { simple: true }) as number;
  conn.pragma('synchronous = NORMAL');
  try {
    return indexSome(conn);
  } finally {
    conn.pragma(`synchronous = ${synchronous}`);
  }
}

function indexSome(conn: BetterSqlite3.Database): { indexed: number; more: boolean } {
  return conn.transaction(() => {
    const { upto, top } = preparedOn(
      conn,
      `select upto, (select coalesce(max(rowid), 0) from messages) as top from ${SEARCH_WATERMARK}`,
    ).get() as { upto: number; top: number };
    if (top <= upto) return { indexed: 0, more: false };
    const end = Math.min(top, upto + BATCH_ROWS);
    const { changes } = preparedOn(conn, `${SQLITE_SEARCH_FILL} and rowid > ? and rowid <= ?`).run(upto, end);
    preparedOn(conn, `update ${SEARCH_WATERMARK} set upto = ?`).run(end);
    return { indexed: changes, more: end < top };
  })();
}

import type BetterSqlite3 from 'better-sqlite3';
import { LRUCache } from 'lru-cache';

/** Distinct statements kept compiled per connection; knex's `whereIn` lists make many shapes. */
const MAX_STATEMENTS = 500;

/**
 * Makes an SQLite connection compile each distinct statement once. knex prepares the SQL of every
 * query afresh, and on a hot path (a file fetch, a send) compiling cost as much as running it.
 * Sharing a statement between queries is safe here: knex only runs them to completion (`all`,
 * `run`), one at a time on the host's single connection, and SQLite recompiles a statement
 * itself when the schema under it changes (a migration).
 */
export function cacheStatements(conn: BetterSqlite3.Database): void {
  const compile = conn.prepare.bind(conn);
  const compiled = new LRUCache<string, BetterSqlite3.Statement>({ max: MAX_STATEMENTS });
  conn.prepare = ((sql: string) => {
    let statement = compiled.get(sql);
    if (!statement) {
      statement = compile(sql);
      compiled.set(sql, statement);
    }
    return statement;
  }) as typeof conn.prepare;
}

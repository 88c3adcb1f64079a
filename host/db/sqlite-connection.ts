import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';

/**
 * Runs a synchronous step on an SQLite host's one connection, held from knex's pool meanwhile:
 * no other query (nor a transaction knex has open) runs on it until the step ends.
 */
export async function withSqliteConnection<T>(knex: Knex, step: (conn: BetterSqlite3.Database) => T): Promise<T> {
  const client = knex.client as Knex.Client;
  const conn = (await client.acquireConnection()) as BetterSqlite3.Database;
  try {
    return step(conn);
  } finally {
    await client.releaseConnection(conn);
  }
}

/** Statements kept per connection at most; the host's texts are a few dozen, so this only bounds a mistake. */
const KEPT_STATEMENTS = 256;
const kept = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/**
 * `sql` compiled on `conn` once and kept with it: better-sqlite3 compiles at every `prepare`,
 * which cost a batch of sends about 56 µs in three statements it then ran in a few. SQLite
 * compiles a kept statement again by itself when the schema changes under it.
 */
export function preparedOn(conn: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let statements = kept.get(conn);
  if (!statements) kept.set(conn, (statements = new Map<string, BetterSqlite3.Statement>()));
  let statement = statements.get(sql);
  if (!statement) {
    if (statements.size >= KEPT_STATEMENTS) statements.clear();
    statements.set(sql, (statement = conn.prepare(sql)));
  }
  return statement;
}

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

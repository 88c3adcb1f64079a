import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import knex, { type Knex } from 'knex';
import type BetterSqlite3 from 'better-sqlite3';
import { registerSearchFunction } from '../../host/db/sqlite-search-function.js';
import { postgresConnection } from '../../host/db/postgres-url.js';

/** Which database the suite runs on: PostgreSQL when DATABASE_URL is set, else SQLite. */
export const testDatabaseKind: 'sqlite' | 'postgres' = process.env.DATABASE_URL ? 'postgres' : 'sqlite';

export interface TestDatabase {
  readonly url: string;
  /** PostgreSQL schema (fresh per test database); "public" on SQLite. */
  readonly schema: string;
  /** Removes the SQLite directory or drops the PostgreSQL schema. */
  drop(): Promise<void>;
}

/** A fresh, empty database: a new SQLite file, or a new schema in the suite's PostgreSQL. */
export function createTestDatabase(): Promise<TestDatabase> {
  if (testDatabaseKind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
    return Promise.resolve({
      url: `sqlite:${join(dir, 'switchboard.db')}`,
      schema: 'public',
      drop: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    });
  }
  const url = process.env.DATABASE_URL!;
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  return Promise.resolve({
    url,
    schema,
    drop: async () => {
      const db = knex({ client: 'pg', connection: postgresConnection(url), pool: { min: 0, max: 1 } });
      try {
        await db.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await db.destroy();
      }
    },
  });
}

/** A direct connection to the test database, for tests that look (or tamper) behind the host's back. */
export function openDirect(database: TestDatabase): Knex {
  if (database.url.startsWith('sqlite:')) {
    return knex({
      client: 'better-sqlite3',
      connection: { filename: database.url.slice('sqlite:'.length) },
      useNullAsDefault: true,
      // The search index's triggers call the host's function (migration 0019).
      pool: {
        afterCreate(conn: BetterSqlite3.Database, done: (err: Error | null, conn: unknown) => void) {
          registerSearchFunction(conn);
          done(null, conn);
        },
      },
    });
  }
  return knex({
    client: 'pg',
    connection: postgresConnection(database.url),
    searchPath: [database.schema],
    pool: { min: 0, max: 2 },
  });
}

/** Runs `fn` on a direct connection to the test database, closed afterwards. */
export async function withDirect<T>(database: TestDatabase, fn: (db: Knex) => Promise<T>): Promise<T> {
  const db = openDirect(database);
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

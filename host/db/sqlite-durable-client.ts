import { createRequire } from 'node:module';
import { fdatasync, fsync, openSync, closeSync } from 'node:fs';
import { promisify } from 'node:util';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';

const require = createRequire(import.meta.url);
/** knex's dialect for better-sqlite3; the package has no exports map, so its file is reachable. */
const BetterSqlite3Client = require('knex/lib/dialects/better-sqlite3/index.js') as new (
  config: Knex.Config,
) => Knex.Client & { _query(conn: BetterSqlite3.Database, obj: { sql: string }): Promise<unknown> };

const syncData = promisify(fdatasync);
const syncFile = promisify(fsync);

/**
 * Makes each commit durable before the code that made it goes on, without blocking the event
 * loop. With `synchronous = FULL` SQLite syncs its write-ahead log inside COMMIT, on the host's
 * one thread: 4 ms a commit on this machine's disk, a fifth of the thread under load, with every
 * socket waiting. The connection runs `synchronous = NORMAL` (the log is not synced at commit;
 * the database stays consistent) and this client syncs the log itself, on libuv's thread pool,
 * after every statement that ends a write: a COMMIT of a transaction that wrote, or a write
 * outside one. The statement's promise resolves only then, so an acknowledged write is on disk,
 * as with FULL; meanwhile the thread serves sockets. The connection stays held until the sync
 * is done (knex releases it when the statement resolves), so no reader sees a commit before it
 * is durable. `synced` is called after each sync (a transaction runs on a copy of the client
 * made without its constructor, so the count lives here, not in the client's events).
 */
export function durableSqliteClient(filename: string, synced: () => void): typeof Knex.Client {
  const log = new WalFile(`${filename}-wal`);
  let wrote = false;
  return class DurableBetterSqlite3 extends BetterSqlite3Client {
    override async _query(conn: BetterSqlite3.Database, obj: { sql: string }): Promise<unknown> {
      const result = await super._query(conn, obj);
      // Statements are compiled once (statement-cache.ts): this is the one just run.
      if (!conn.prepare(obj.sql).readonly) wrote = true;
      if (wrote && !conn.inTransaction) {
        wrote = false;
        await log.sync();
        synced();
      }
      return result;
    }

    override destroyRawConnection(conn: BetterSqlite3.Database): Promise<void> {
      log.close();
      conn.close();
      return Promise.resolve();
    }
  } as unknown as typeof Knex.Client;
}

/** The write-ahead log's file, opened once it exists (at the first write), and its directory synced once. */
class WalFile {
  private fd: number | null = null;

  constructor(private readonly path: string) {}

  async sync(): Promise<void> {
    if (this.fd === null) {
      this.fd = openSync(this.path, 'r');
      // SQLite made the file: its name must be on disk too, as FULL's first sync would see to.
      const dir = openSync(dirname(this.path), 'r');
      try {
        await syncFile(dir);
      } finally {
        closeSync(dir);
      }
    }
    await syncData(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

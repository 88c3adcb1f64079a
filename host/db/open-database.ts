import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { cacheStatements } from './statement-cache.js';
import { registerSearchFunction } from './sqlite-search-function.js';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { nativeModuleError } from '../runtime/native-module-error.js';
import type { HostConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import { describePostgresUrl, postgresConnection } from './postgres-url.js';

// int8 columns (sequence numbers, timestamps in ms) fit safely in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export type DatabaseKind = 'sqlite' | 'postgres';

export interface Database {
  readonly knex: Knex;
  readonly kind: DatabaseKind;
  /** Human-readable location for logs (never includes a password). */
  readonly location: string;
  close(): Promise<void>;
}

export function databaseKindOf(url: string): DatabaseKind {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

export interface OpenDatabaseOptions {
  /** Where knex's own warnings go once the database is open (as JSON log lines, not console text). */
  logger?: Pick<Logger, 'warn' | 'error' | 'debug'>;
}

/** Opens the configured database and checks that it is reachable and not used by another host. */
export async function openDatabase(
  config: HostConfig['database'],
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  return databaseKindOf(config.url) === 'sqlite' ? openSqlite(config.url, options) : openPostgres(config, options);
}

/**
 * knex prints its warnings (with stacks) straight to stdout. While the database is being opened
 * they are dropped: a failure there becomes one clear error (`database_unreachable`). After that
 * they go to the host's logger.
 */
function knexLog(options: OpenDatabaseOptions): { log: Knex.Config['log']; opened(): void } {
  let open = false;
  const to = (level: 'warn' | 'error' | 'debug') => (message: unknown) => {
    if (!open || !options.logger) return;
    options.logger[level]({ component: 'knex' }, typeof message === 'string' ? message : JSON.stringify(message));
  };
  return {
    log: { warn: to('warn'), error: to('error'), deprecate: to('warn'), debug: to('debug') },
    opened: () => {
      open = true;
    },
  };
}

function openSqlite(url: string, options: OpenDatabaseOptions): Database {
  const logging = knexLog(options);
  logging.opened();
  const filename = resolve(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
  mkdirSync(dirname(filename), { recursive: true });
  assertNotLocked(filename);
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: BetterSqlite3.Database, done: (err: Error | null, conn: unknown) => void) {
        try {
          // EXCLUSIVE before WAL: this process keeps the file lock until it exits (the OS
          // drops it on kill -9), so a second host on the same file fails at once.
          conn.pragma('locking_mode = EXCLUSIVE');
          conn.pragma('journal_mode = WAL');
          // FULL in WAL mode fsyncs the log at every commit: an acknowledged send survives power loss.
          conn.pragma('synchronous = FULL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 0');
          conn.exec('BEGIN IMMEDIATE; COMMIT;');
          cacheStatements(conn);
          registerSearchFunction(conn);
          done(null, conn);
        } catch (err) {
          done(lockErrorOr(err, filename), conn);
        }
      },
    },
    acquireConnectionTimeout: 5_000,
    log: logging.log,
  });
  return { knex, kind: 'sqlite', location: filename, close: () => knex.destroy() };
}

/** Fails fast, with a clear error, when another process holds the database file. */
function assertNotLocked(filename: string): void {
  let probe: BetterSqlite3.Database | undefined;
  try {
    probe = new BetterSqlite3(filename, { timeout: 0 });
    probe.exec('BEGIN IMMEDIATE; COMMIT;');
  } catch (err) {
    throw lockErrorOr(err, filename);
  } finally {
    probe?.close();
  }
}

function lockErrorOr(err: unknown, filename: string): Error {
  // better-sqlite3 loads its .node file on the first open: one built for another Node fails here.
  const mismatch = nativeModuleError(err, 'better-sqlite3');
  if (mismatch) return mismatch;
  const code = (err as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new SwitchboardError(
      'database_locked',
      `The SQLite database ${filename} is in use by another Switchboard host. Stop that host, or point this one at another file (database.url).`,
    );
  }
  return new SwitchboardError(
    'database_unreachable',
    `Cannot open SQLite database ${filename}: ${(err as Error).message}`,
    { cause: err },
  );
}

async function openPostgres(config: HostConfig['database'], options: OpenDatabaseOptions): Promise<Database> {
  const location = describePostgresUrl(config.url);
  const logging = knexLog(options);
  let knex: Knex;
  try {
    // knex loads the driver here; a native one (pg-native) built for another Node fails to load.
    knex = knexFactory({
      client: 'pg',
      connection: postgresConnection(config.url),
      searchPath: [config.schema],
      // A connection kept for ten idle minutes, not tarn's 30 s: a fresh backend fills its
      // catalog caches and plans again (a first search cost 20 ms, later ones 2 ms) and loses
      // the statements prepared on it.
      pool: { min: 0, max: config.poolSize, idleTimeoutMillis: 600_000, afterCreate: oltpSession },
      acquireConnectionTimeout: 10_000,
      log: logging.log,
    });
  } catch (err) {
    throw nativeModuleError(err, 'pg') ?? err;
  }
  try {
    await knex.raw('select 1');
    await knex.raw(`create schema if not exists "${config.schema}"`);
  } catch (err) {
    // The connection error below is what the operator needs; a failure to close the pool as well would only hide it.
    await knex.destroy().catch(() => {});
    const mismatch = nativeModuleError(err, 'pg');
    if (mismatch) throw mismatch;
    throw new SwitchboardError('database_unreachable', `Cannot reach PostgreSQL at ${location}: ${describe(err)}`, {
      cause: err,
    });
  }
  logging.opened();
  return { knex, kind: 'postgres', location: `${location} (schema ${config.schema})`, close: () => knex.destroy() };
}

/**
 * Every query of the host reads few rows, but a plan's costs can come from a table-wide guess (a
 * search's keys are known only when it runs): on a large table that guess would buy a JIT
 * compilation (15 ms measured) or parallel workers for a search that reads a few hundred rows.
 * The host's named statements (a batch of plain sends, a blob's chunks) keep one generic plan per
 * connection: by default PostgreSQL plans them again at each run whenever a generic plan's cost
 * guess is higher than its custom plans', and planning the plain sends' statement took 0.4 ms, a
 * third of its run. Unnamed statements (every other query) are planned per run either way; the
 * only other plans this mode reaches are the search index's PL/pgSQL functions', keyed lookups.
 * Set on the session, not per query, so it costs no round trip (docs/operators.md, "PostgreSQL").
 */
function oltpSession(connection: PgConnection, done: (err: Error | null, connection: PgConnection) => void): void {
  connection.query(
    'set jit = off; set max_parallel_workers_per_gather = 0; set plan_cache_mode = force_generic_plan',
    (err) => done(err, connection),
  );
}

interface PgConnection {
  query(sql: string, callback: (err: Error | null) => void): void;
}

/** One line for a connection error; an AggregateError (every address of a name refused) has no message of its own. */
function describe(err: unknown): string {
  const e = err as { message?: string; code?: string; errors?: unknown[] };
  if (e?.message) return e.message.split('\n')[0]!;
  if (Array.isArray(e?.errors) && e.errors.length) return e.errors.map(describe).join('; ');
  return e?.code ?? String(err);
}

import type { Knex } from 'knex';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { Row } from '../../../sdk/plugin/database.js';
import { toDatabase, type ColumnInfo } from './column-values.js';
import { assertColumnName } from './table-names.js';

export type WriteAction = 'insert' | 'update' | 'increment' | 'delete';

/** Parameters one statement may carry: PostgreSQL takes at most 65,535, SQLite 32,766. */
export const MAX_BINDINGS = 30_000;

/** What one query needs from the capability that made it. */
export interface QueryEnvironment {
  readonly table: string;
  readonly physical: string;
  readonly columns: Readonly<Record<string, ColumnInfo>>;
  readonly sqlite: boolean;
  readonly inTransaction: boolean;
  /** Permission, liveness and transaction checks; returns where to run the statement. */
  begin(): Knex | Knex.Transaction;
  /** Runs after a successful write (the audit trail). */
  wrote(action: WriteAction): Promise<void>;
  /** Turns a driver error into a catalog error (and marks a transaction as failed). */
  failed(err: unknown): never;
}

export function invalid(message: string): SwitchboardError {
  return new SwitchboardError('database_invalid_query', message);
}

/** The column's type; a name the table does not have fails where the plugin wrote it, listing the ones it has. */
export function columnOf(env: QueryEnvironment, column: unknown): ColumnInfo {
  const name = assertColumnName(column, 'database_invalid_query');
  const info = env.columns[name];
  if (!info) throw invalid(`Table ${env.table} has no column ${name}; it has ${Object.keys(env.columns).join(', ')}.`);
  return info;
}

export function valueFor(env: QueryEnvironment, column: string, info: ColumnInfo, value: unknown): unknown {
  return toDatabase(env.table, column, info, value, env.sqlite);
}

/** A row to write, each value checked against its column; an undefined value means "not given", so it is left out. */
export function writableRow(env: QueryEnvironment, row: Row, what: string): Row {
  if (row === null || typeof row !== 'object' || Array.isArray(row)) {
    throw invalid(`${what}() takes objects of column values.`);
  }
  const out: Row = {};
  for (const [column, v] of Object.entries(row)) {
    if (v === undefined) continue;
    out[column] = valueFor(env, column, columnOf(env, column), v);
  }
  return out;
}

/** Runs a statement; a driver error becomes a catalog error through the environment. */
export async function execute<T, U>(env: QueryEnvironment, qb: PromiseLike<T>, convert: (result: T) => U): Promise<U> {
  let result: T;
  try {
    result = await qb;
  } catch (err) {
    env.failed(err);
  }
  return convert(result);
}

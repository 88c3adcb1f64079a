import type { Knex } from 'knex';
import type { Row } from '../../../sdk/plugin/database.js';
import { PG_TYPES } from './column-values.js';
import { columnOf, invalid, writableRow, type QueryEnvironment, type WriteAction } from './query-environment.js';
import { updateEachStatements, type Filtered } from './update-each.js';

/** A write call on a plugin table, as the plugin made it. */
export type WriteCall =
  | { kind: 'insert'; rows: Row | readonly Row[]; options: { onConflictIgnore?: readonly string[] } }
  | { kind: 'update'; patch: Row }
  | { kind: 'updateEach'; key: string | readonly string[]; rows: readonly Row[] }
  | { kind: 'increment'; column: string; by: number }
  | { kind: 'delete' };

/** A checked write: the audit action and its statements (none for an empty insert or updateEach). */
export interface PlannedWrite {
  action: WriteAction;
  statements: (Knex.QueryBuilder | Knex.Raw)[];
}

/** The rows a write statement changed, from whichever result its driver gives. */
export function affectedRows(result: unknown): number {
  if (typeof result === 'number') return result;
  const r = result as { rowCount?: number | null; changes?: number };
  return Number(r?.rowCount ?? r?.changes ?? 0);
}

export const NUMERIC = new Set(['id', 'integer', 'bigInteger', 'float']);

/**
 * Checks a write against the table and builds its statements, which return nothing yet: the
 * table query runs them one by one, a write group sends them together. `filtered` applies the
 * query's filters; an insert takes none.
 */
export function planWrite(env: QueryEnvironment, filtered: Filtered, filters: number, call: WriteCall): PlannedWrite {
  switch (call.kind) {
    case 'insert':
      if (filters > 0) throw invalid('insert() does not take filters; start from database.table(name).');
      return { action: 'insert', statements: insertStatements(env, call.rows, call.options) };
    case 'update': {
      const values = writableRow(env, call.patch, 'update');
      if (Object.keys(values).length === 0) throw invalid('update() needs at least one column to change.');
      return { action: 'update', statements: [filtered(env.begin()).update(values)] };
    }
    case 'updateEach':
      return { action: 'update', statements: updateEachStatements(env, filtered, env.begin(), call.key, call.rows) };
    case 'increment': {
      const { column, by } = call;
      const info = columnOf(env, column);
      if (!NUMERIC.has(info.kind) || info.kind === 'id')
        throw invalid(`increment(${column}) needs an integer, bigInteger or float column.`);
      if (typeof by !== 'number' || !Number.isFinite(by) || (info.kind !== 'float' && !Number.isSafeInteger(by))) {
        throw invalid(
          `increment(${column}) needs a finite ${info.kind === 'float' ? 'number' : 'integer'}, not ${JSON.stringify(by)}.`,
        );
      }
      return { action: 'increment', statements: [filtered(env.begin()).increment(column, by)] };
    }
    case 'delete':
      return { action: 'delete', statements: [filtered(env.begin()).delete()] };
  }
}

function insertStatements(
  env: QueryEnvironment,
  rows: Row | readonly Row[],
  options: { onConflictIgnore?: readonly string[] },
): Knex.QueryBuilder[] {
  const list = (Array.isArray(rows) ? rows : [rows]) as Row[];
  if (list.length === 0) return [];
  const converted = list.map((row) => writableRow(env, row, 'insert'));
  const conflict = options?.onConflictIgnore;
  if (conflict !== undefined) {
    if (!Array.isArray(conflict)) throw invalid('onConflictIgnore takes an array of column names.');
    for (const c of conflict) columnOf(env, c);
  }
  // Rows with the same columns go in one statement; SQLite has no DEFAULT inside VALUES, so
  // rows that leave out different columns go one by one.
  const shape = (r: Row) => Object.keys(r).sort().join();
  const sameShape = converted.every((r) => shape(r) === shape(converted[0]!));
  const executor = env.begin();
  return (sameShape ? [converted] : converted.map((r) => [r])).map((batch) => {
    const qb =
      env.sqlite || !shape(batch[0]!) ? executor(env.physical).insert(batch) : unnestInsert(env, executor, batch);
    if (conflict) qb.onConflict(conflict as string[]).ignore();
    return qb;
  });
}

/**
 * INSERT INTO t (c, …) SELECT * FROM unnest(array per column): on PostgreSQL the text is the same
 * whatever the number of rows, where VALUES grew with them (parsed and planned at every run).
 */
function unnestInsert(env: QueryEnvironment, executor: Knex | Knex.Transaction, rows: Row[]): Knex.QueryBuilder {
  const columns = Object.keys(rows[0]!);
  const arrays = columns.map((c) => rows.map((row) => row[c]));
  const types = columns.map((c) => `?::${PG_TYPES[env.columns[c]!.kind]}[]`);
  return executor
    .into(executor.raw(`?? (${columns.map(() => '??').join(', ')})`, [env.physical, ...columns]))
    .insert(executor.raw(`select * from unnest(${types.join(', ')})`, arrays as Knex.RawBinding[]));
}

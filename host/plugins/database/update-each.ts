import type { Knex } from 'knex';
import type { Row } from '../../../sdk/plugin/database.js';
import { columnOf, execute, invalid, writableRow, type QueryEnvironment } from './query-environment.js';

/** PostgreSQL cannot type a bare parameter in a CASE, so each value is cast to its column's type. */
const PG_TYPES: Record<string, string> = {
  id: 'bigint',
  bigInteger: 'bigint',
  integer: 'integer',
  float: 'double precision',
  boolean: 'boolean',
  string: 'text',
  text: 'text',
  json: 'text',
};
/** Rows per statement of updateEach inside a transaction. */
const UPDATE_EACH_CHUNK = 64;

/** The query's table with its filters applied, on the given executor. */
type Filtered = (executor: Knex | Knex.Transaction) => Knex.QueryBuilder;

/**
 * Sets different values on different rows, each row found by its key columns, within the
 * query's filters. Every row sets the same columns, so one statement covers many rows.
 */
export async function updateEach(
  env: QueryEnvironment,
  filtered: Filtered,
  key: string | readonly string[],
  rows: readonly Row[],
): Promise<number> {
  const keys = typeof key === 'string' ? [key] : [...key];
  if (keys.length === 0) throw invalid('updateEach() needs a key column.');
  for (const k of keys) columnOf(env, k);
  if (!Array.isArray(rows)) throw invalid('updateEach() takes an array of rows.');
  if (rows.length === 0) return 0;
  const converted = rows.map((row: Row) => writableRow(env, row, 'updateEach'));
  const changed = (row: Row) => Object.keys(row).filter((c) => !keys.includes(c));
  const columns = changed(converted[0]!).sort();
  if (columns.length === 0) throw invalid('updateEach() needs at least one column to change besides the key.');
  for (const row of converted) {
    for (const k of keys) {
      if (!(k in row) || row[k] === null) throw invalid(`Every row of updateEach() names its ${k}.`);
    }
    if (changed(row).sort().join() !== columns.join()) {
      throw invalid('Every row of updateEach() sets the same columns.');
    }
  }
  const executor = env.begin();
  // One CASE per column over the rows, evaluated for each row: a statement's cost grows with the
  // square of its rows. In a transaction (atomic anyway) a large update goes in chunks.
  const chunk = env.inTransaction ? UPDATE_EACH_CHUNK : converted.length;
  let count = 0;
  for (let i = 0; i < converted.length; i += chunk) {
    const qb = statement(env, filtered(executor), executor, keys, columns, converted.slice(i, i + chunk));
    count += await execute(env, qb, (n: number) => Number(n));
  }
  if (count > 0) await env.wrote('update');
  return count;
}

/** UPDATE t SET c = CASE WHEN k = ? … THEN ? … END WHERE (k = ? …) OR …: one statement on both databases. */
function statement(
  env: QueryEnvironment,
  qb: Knex.QueryBuilder,
  executor: Knex | Knex.Transaction,
  keys: string[],
  columns: string[],
  rows: Row[],
): Knex.QueryBuilder {
  const match = keys.map(() => '?? = ?').join(' AND ');
  const matchBindings = (row: Row) => keys.flatMap((k) => [k, row[k]]);
  const set: Record<string, Knex.Raw> = {};
  for (const column of columns) {
    const cast = env.sqlite ? null : PG_TYPES[env.columns[column]!.kind];
    const cases = rows.map(() => `WHEN ${match} THEN ${cast ? `CAST(? AS ${cast})` : '?'}`).join(' ');
    const bindings = rows.flatMap((row) => [...matchBindings(row), row[column]]);
    set[column] = executor.raw(`CASE ${cases} END`, bindings as Knex.RawBinding[]);
  }
  return qb
    .where((w) => {
      for (const row of rows) {
        w.orWhere((one) => {
          for (const k of keys) void one.where(k, row[k] as string);
        });
      }
    })
    .update(set);
}

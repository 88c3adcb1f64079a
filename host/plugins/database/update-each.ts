import type { Knex } from 'knex';
import type { Row } from '../../../sdk/plugin/database.js';
import { PG_TYPES } from './column-values.js';
import { columnOf, invalid, MAX_BINDINGS, writableRow, type QueryEnvironment } from './query-environment.js';

/** The query's table with its filters applied, on the given executor. */
export type Filtered = (executor: Knex | Knex.Transaction) => Knex.QueryBuilder;

/**
 * The statements that set different values on different rows, each row found by its key
 * columns, within the query's filters (none for no rows). Every row sets the same columns, so
 * one statement covers many rows; in a transaction (atomic anyway) a very large update is split.
 */
export function updateEachStatements(
  env: QueryEnvironment,
  filtered: Filtered,
  executor: Knex | Knex.Transaction,
  key: string | readonly string[],
  rows: readonly Row[],
): Knex.Raw[] {
  const keys = typeof key === 'string' ? [key] : [...key];
  if (keys.length === 0) throw invalid('updateEach() needs a key column.');
  for (const k of keys) columnOf(env, k);
  if (!Array.isArray(rows)) throw invalid('updateEach() takes an array of rows.');
  if (rows.length === 0) return [];
  const converted = rows.map((row: Row) => writableRow(env, row, 'updateEach'));
  const changed = (row: Row) => Object.keys(row).filter((c) => !keys.includes(c));
  const columns = changed(converted[0]!).sort();
  if (columns.length === 0) throw invalid('updateEach() needs at least one column to change besides the key.');
  const seen = new Set<string>();
  for (const row of converted) {
    for (const k of keys) {
      if (!(k in row) || row[k] === null) throw invalid(`Every row of updateEach() names its ${k}.`);
    }
    if (changed(row).sort().join() !== columns.join()) {
      throw invalid('Every row of updateEach() sets the same columns.');
    }
    // Two rows for one key would leave which one wins to the statement's plan.
    const id = JSON.stringify(keys.map((k) => row[k]));
    if (seen.has(id)) throw invalid(`updateEach() names the ${keys.join(', ')} ${id} twice.`);
    seen.add(id);
  }
  // SQLite's parameters bound the rows a statement takes; PostgreSQL's arrays do not, but the
  // same limit on both keeps a plugin that works on one working on the other.
  const chunk = Math.floor(MAX_BINDINGS / (keys.length + columns.length));
  // PostgreSQL also gets a single key's values as a list (statement()).
  const byList = !env.sqlite && keys.length === 1;
  // Outside a transaction the rows must go as one statement, to change all or none.
  if (!env.inTransaction && converted.length > chunk)
    throw invalid(
      `updateEach() outside a transaction takes at most ${chunk} rows of these columns; use a transaction.`,
    );
  const statements: Knex.Raw[] = [];
  for (let i = 0; i < converted.length; i += chunk)
    statements.push(statement(env, filtered(executor), executor, keys, columns, converted.slice(i, i + chunk), byList));
  return statements;
}

/**
 * UPDATE t SET c = _v.c … FROM (rows) AS _v WHERE t.k = _v.k …: one statement on both databases
 * (SQLite 3.33+), planned as a join, so its cost grows with its rows (a CASE per column grew with
 * their square). The rows' columns are named `_cN`, which no plugin column can be (they start
 * with a letter), so the query's own filters stay unambiguous. SQLite gets the rows as VALUES;
 * PostgreSQL as one array per column (`unnest`), so the text is the same whatever the number of
 * rows: parsing and planning 1,400 parameters had cost as much as running a payments batch's write.
 */
function statement(
  env: QueryEnvironment,
  qb: Knex.QueryBuilder,
  executor: Knex | Knex.Transaction,
  keys: string[],
  columns: string[],
  rows: Row[],
  byList: boolean,
): Knex.Raw {
  const all = [...keys, ...columns];
  const names = all.map((_, i) => `_c${i}`);
  const arrayOf = (column: string) => rows.map((row) => row[column]) as Knex.Value[];
  const values = env.sqlite
    ? `(select ${names.map((n, i) => `column${i + 1} as ${n}`).join(', ')} ` +
      `from (values ${rows.map(() => `(${all.map(() => '?').join(', ')})`).join(', ')}) as _rows) as _v`
    : `unnest(${all.map((c) => `?::${PG_TYPES[env.columns[c]!.kind]}[]`).join(', ')}) as _v(${names.join(', ')})`;
  const valueBindings = env.sqlite ? rows.flatMap((row) => all.map((c) => row[c])) : all.map(arrayOf);
  const set: Record<string, Knex.Raw> = {};
  columns.forEach((column, j) => (set[column] = executor.raw(`_v._c${keys.length + j}`)));
  keys.forEach((k, i) => void qb.whereRaw(`?? = _v._c${i}`, [`${env.physical}.${k}`]));
  // A join alone is planned from the table's statistics: a small table whose rows are updated
  // many times a second (a payments benchmark's 200 wallets) was scanned whole, dead versions
  // and all (3.7 ms against 0.5), before autovacuum had told the planner how large it had grown.
  // The key's own list lets the planner read just those rows through its index.
  if (byList) {
    const key = keys[0]!;
    qb.whereRaw(`?? = any(?::${PG_TYPES[env.columns[key]!.kind]}[])`, [
      `${env.physical}.${key}`,
      arrayOf(key) as Knex.Value,
    ]);
  }
  const { sql, bindings } = qb.update(set).toSQL();
  // The FROM goes between SET (column references only, no text of the plugin's) and WHERE.
  const at = sql.indexOf(' where ');
  return executor.raw(`${sql.slice(0, at)} from ${values}${sql.slice(at)}`, [
    ...(valueBindings as Knex.RawBinding[]),
    ...(bindings as Knex.RawBinding[]),
  ]);
}

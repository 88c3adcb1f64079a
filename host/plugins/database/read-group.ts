import type { Knex } from 'knex';
import { MAX_READS_TOGETHER, type Row } from '../../../sdk/plugin/database.js';
import { cappedStatementName } from '../../db/statement-name.js';
import { execute, invalid, type QueryEnvironment } from './query-environment.js';

/** A query's read as all() runs it: the statement, on a given executor, and its rows' conversion. */
export interface PlannedRead<R extends Row = Row> {
  env: QueryEnvironment;
  statement: (executor: Knex | Knex.Transaction) => Knex.QueryBuilder;
  rows: (raw: Row[]) => R[];
}

/**
 * Runs a transaction's reads together (DatabaseTransaction.readTogether). On PostgreSQL they are
 * one statement: each read a materialized WITH query, and each one's rows aggregated to JSON in
 * the order given, so its locks are taken read by read in that order (a target list is evaluated
 * left to right, and a materialized query runs whole when first scanned). The JSON keeps every
 * column kind's value (numbers within 2^53, booleans, text, json), which the usual conversion
 * then reads as it reads the driver's rows. SQLite has no round trip to save: one after another.
 */
export async function runReadGroup(trx: Knex.Transaction, sqlite: boolean, reads: readonly PlannedRead[]) {
  if (reads.length > MAX_READS_TOGETHER)
    throw invalid(`readTogether() takes at most ${MAX_READS_TOGETHER} queries, not ${reads.length}.`);
  if (sqlite || reads.length < 2) {
    const out: Row[][] = [];
    for (const read of reads) out.push(await execute(read.env, read.statement(trx), read.rows));
    return out;
  }
  const parts = reads.map((read) => read.statement(trx).toSQL());
  const sql =
    `with ${parts.map((p, i) => `r${i} as materialized (${p.sql})`).join(', ')} select ` +
    parts.map((_, i) => `(select coalesce(json_agg(r${i}), '[]'::json) from r${i})::text as r${i}`).join(', ');
  const query = trx.raw(
    sql,
    parts.flatMap((p) => p.bindings as Knex.RawBinding[]),
  );
  // Lists are arrays on PostgreSQL (TableQuery.whereIn), so the text is one per shape: prepared once per connection.
  const name = cappedStatementName('plugin_reads', sql);
  // One statement of several tables: a failure is reported against the first (the transaction fails whole anyway).
  return execute(
    reads[0]!.env,
    name === undefined ? query : query.options({ name }),
    (result: { rows: Record<string, string>[] }) =>
      reads.map((read, i) => read.rows(JSON.parse(result.rows[0]![`r${i}`]!) as Row[])),
  );
}

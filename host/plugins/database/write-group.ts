import type { Knex } from 'knex';
import type { GroupedWrite, Row, WriteGroup } from '../../../sdk/plugin/database.js';
import { cappedStatementName } from '../../db/statement-name.js';
import { rowFromDatabase } from './column-values.js';
import { invalid, MAX_BINDINGS, type QueryEnvironment } from './query-environment.js';
import type { PluginTableQuery } from './table-query.js';
import type { PlannedWrite, WriteCall } from './table-writes.js';

/** A table's query with the environment it runs in, as the capability makes them. */
export interface OpenedTable {
  env: QueryEnvironment;
  query: PluginTableQuery;
}

interface Recorded {
  table: string;
  opened: OpenedTable;
  plan: PlannedWrite | null;
  kind: WriteCall['kind'] | null;
  /** The earlier write this one depends on (onlyIfWrote), by position. */
  onlyIf: number | null;
}

/** A write of a group, ready to run. */
export interface GroupWrite {
  env: QueryEnvironment;
  plan: PlannedWrite;
  onlyIf: number | null;
}

/** The writes a condition may name or carry: one statement each, with filters. */
const SINGLE_STATEMENT: ReadonlySet<WriteCall['kind'] | null> = new Set(['update', 'increment', 'delete']);

/** Collects a group's writes as the plugin names them; each is checked when its write call is made. */
export class WriteGroupRecorder implements WriteGroup {
  private readonly writes: Recorded[] = [];

  constructor(private readonly open: (table: string) => OpenedTable) {}

  table<R extends Row = Row>(name: string): GroupedWrite<R> {
    if (this.writes.some((w) => w.table === name))
      throw invalid(`A write group writes each table once; ${name} is already in this one.`);
    const entry: Recorded = { table: name, opened: this.open(name), plan: null, kind: null, onlyIf: null };
    const position = this.writes.length;
    this.writes.push(entry);
    const q = entry.opened.query;
    const record = (call: WriteCall) => {
      if (entry.plan) throw invalid(`The write group's write to ${name} is already made.`);
      entry.plan = q.plan(call);
      entry.kind = call.kind;
    };
    const grouped: GroupedWrite<R> = {
      where: (...args: unknown[]) => (q.where(...(args as [string, never, unknown])), grouped),
      whereIn: (column, values) => (q.whereIn(column, values), grouped),
      whereNull: (column) => (q.whereNull(column), grouped),
      whereNotNull: (column) => (q.whereNotNull(column), grouped),
      insert: (rows, options = {}) => record({ kind: 'insert', rows, options }),
      update: (patch) => record({ kind: 'update', patch }),
      updateEach: (key, rows) => record({ kind: 'updateEach', key, rows }),
      increment: (column, by) => record({ kind: 'increment', column, by }),
      delete: () => record({ kind: 'delete' }),
      onlyIfWrote: (earlier) => {
        if (position === 0) throw invalid('The first write of a group has no earlier one for onlyIfWrote to name.');
        if (!Number.isInteger(earlier) || earlier < 0 || earlier >= position)
          throw invalid(
            `onlyIfWrote(${JSON.stringify(earlier)}) names an earlier write of the group: 0 to ${position - 1}.`,
          );
        entry.onlyIf = earlier;
        return grouped;
      },
    };
    return grouped;
  }

  /** The group's writes, each with its plan; a table named without a write call is an error. */
  finish(): GroupWrite[] {
    return this.writes.map((w) => {
      if (!w.plan) throw invalid(`The write group names ${w.table} but makes no write to it.`);
      if (w.onlyIf !== null) {
        const earlier = this.writes[w.onlyIf]!;
        if (!SINGLE_STATEMENT.has(w.kind) || !SINGLE_STATEMENT.has(earlier.kind))
          throw invalid(
            `onlyIfWrote links an update, increment or delete to an earlier one; ${w.table} (${w.kind}) after ${earlier.table} (${earlier.kind}) is not.`,
          );
      }
      return { env: w.opened.env, plan: w.plan, onlyIf: w.onlyIf };
    });
  }
}

/** What a group wrote: each write's count and, when asked for, its rows as stored. */
export interface GroupResult {
  counts: number[];
  /** Each write's rows (empty unless the group was run with `returnRows`). */
  rows: Row[][];
}

/**
 * Runs a group's statements on `executor` (the caller's transaction, or the database for a group
 * that fits one statement) and returns how many rows each write wrote, and with `returnRows` the
 * rows themselves. PostgreSQL gets them as one statement of data-modifying WITH clauses, each
 * counted (or its rows gathered as JSON) through RETURNING; a conditional write also asks that its
 * earlier one returned a row. SQLite runs the same statements one by one, skipping a conditional
 * write whose earlier one wrote nothing.
 */
export async function runWriteGroup(
  executor: Knex | Knex.Transaction,
  sqlite: boolean,
  writes: GroupWrite[],
  returnRows = false,
): Promise<GroupResult> {
  const counts = writes.map(() => 0);
  const rows: Row[][] = writes.map(() => []);
  /** The position among the parts of each write's first statement. */
  const firstPart: number[] = [];
  let partsBefore = 0;
  const parts = writes.flatMap((w, i) => {
    firstPart[i] = partsBefore;
    partsBefore += w.plan.statements.length;
    // The table's own columns: an updateEach's FROM list would add its own on PostgreSQL (SQLite
    // returns only the table's).
    const returning = !returnRows ? '1' : sqlite ? '*' : `"${w.env.physical.replaceAll('"', '""')}".*`;
    return w.plan.statements.map((qb) => {
      // Only single statements (query builders) take a condition (WriteGroupRecorder.finish).
      if (w.onlyIf !== null && !sqlite)
        (qb as Knex.QueryBuilder).whereRaw(`exists (select 1 from w${firstPart[w.onlyIf]!})`);
      const { sql, bindings } = qb.toSQL();
      return { i, sql: `${sql} returning ${returning}`, bindings: bindings as Knex.RawBinding[] };
    });
  });
  const took = (i: number, written: readonly Row[]) => {
    counts[i]! += written.length;
    if (returnRows) for (const row of written) rows[i]!.push(rowFromDatabase(writes[i]!.env.columns, row));
  };
  const fail = (err: unknown, among: readonly { i: number }[]): never => {
    const table = (err as { table?: string })?.table;
    const failed = among.map((p) => writes[p.i]!).find((w) => w.env.physical === table) ?? writes[among[0]!.i]!;
    return failed.env.failed(err);
  };
  if (sqlite) {
    for (const part of parts) {
      const onlyIf = writes[part.i]!.onlyIf;
      if (onlyIf !== null && counts[onlyIf] === 0) continue;
      try {
        took(part.i, await executor.raw<Row[]>(part.sql, part.bindings));
      } catch (err) {
        fail(err, [part]);
      }
    }
  } else {
    const statements = chunks(parts);
    if (statements.length > 1 && writes.some((w) => w.onlyIf !== null))
      throw invalid('A write group with onlyIfWrote must fit one statement (65,535 values).');
    for (const chunk of statements) {
      const results = chunk.map((_, k) =>
        returnRows
          ? `(select coalesce(json_agg(w${k}), '[]'::json) from w${k}) as r${k}`
          : `(select count(*) from w${k}) as c${k}`,
      );
      const sql = `with ${chunk.map((p, k) => `w${k} as (${p.sql})`).join(', ')} select ${results.join(', ')}`;
      let row: Record<string, unknown>;
      // Its text is one per shape (arrays, not a value per row), so it is prepared once per connection.
      const name = cappedStatementName('plugin_writes', sql);
      try {
        const query = executor.raw<{ rows: Record<string, unknown>[] }>(
          sql,
          chunk.flatMap((p) => p.bindings),
        );
        const result = await (name === undefined ? query : query.options({ name }));
        row = result.rows[0]!;
      } catch (err) {
        fail(err, chunk);
      }
      chunk.forEach((p, k) => (returnRows ? took(p.i, row[`r${k}`] as Row[]) : (counts[p.i]! += Number(row[`c${k}`]))));
    }
  }
  for (const [i, w] of writes.entries()) if (counts[i]! > 0) await w.env.wrote(w.plan.action);
  return { counts, rows };
}

/** Whether writeTogether's options ask for rows; options other than `returnRows` (a boolean) are refused. */
export function returnRowsOf(options: unknown): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw invalid('writeTogether() takes options { returnRows: true } or none.');
  const { returnRows, ...rest } = options as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw invalid(`writeTogether() has no option ${unknown.join(', ')}; it takes returnRows.`);
  if (returnRows !== undefined && typeof returnRows !== 'boolean')
    throw invalid('writeTogether() takes returnRows: true or false.');
  return returnRows === true;
}

/** What writeTogether resolves to: the counts, or the rows when asked for. */
export const answerOf = (result: GroupResult, returnRows: boolean): number[] | Row[][] =>
  returnRows ? result.rows : result.counts;

/** The writes `build` names (synchronously), checked, on tables `open` opens. */
export function groupOf(build: (group: WriteGroup) => void, open: (table: string) => OpenedTable): GroupWrite[] {
  if (typeof build !== 'function') throw invalid('writeTogether() takes a function (group) => { … }.');
  const group = new WriteGroupRecorder(open);
  const built: unknown = build(group);
  if (built instanceof Promise) {
    // Refused before its writes could count; only an unhandled rejection is left to avoid.
    built.catch(() => undefined);
    throw invalid('writeTogether() names its writes synchronously: its function may not be async.');
  }
  return group.finish();
}

/** Whether PostgreSQL takes the group as one statement (so it commits whole without a transaction). */
export function fitsOneStatement(writes: GroupWrite[]): boolean {
  const values = writes.reduce((n, w) => n + w.plan.statements.reduce((m, qb) => m + qb.toSQL().bindings.length, 0), 0);
  return values <= MAX_BINDINGS;
}

/** Consecutive parts, each run at most MAX_BINDINGS parameters (a larger part goes alone), sent as several statements inside the caller's transaction. */
function chunks<P extends { bindings: unknown[] }>(parts: P[]): P[][] {
  const out: P[][] = [];
  let current: P[] = [];
  let size = 0;
  for (const part of parts) {
    if (current.length > 0 && size + part.bindings.length > MAX_BINDINGS) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(part);
    size += part.bindings.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

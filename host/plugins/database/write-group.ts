import type { Knex } from 'knex';
import type { GroupedWrite, Row, WriteGroup } from '../../../sdk/plugin/database.js';
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
}

/** Collects a group's writes as the plugin names them; each is checked when its write call is made. */
export class WriteGroupRecorder implements WriteGroup {
  private readonly writes: Recorded[] = [];

  constructor(private readonly open: (table: string) => OpenedTable) {}

  table<R extends Row = Row>(name: string): GroupedWrite<R> {
    if (this.writes.some((w) => w.table === name))
      throw invalid(`A write group writes each table once; ${name} is already in this one.`);
    const entry: Recorded = { table: name, opened: this.open(name), plan: null };
    this.writes.push(entry);
    const q = entry.opened.query;
    const record = (call: WriteCall) => {
      if (entry.plan) throw invalid(`The write group's write to ${name} is already made.`);
      entry.plan = q.plan(call);
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
    };
    return grouped;
  }

  /** The group's writes, each with its plan; a table named without a write call is an error. */
  finish(): { env: QueryEnvironment; plan: PlannedWrite }[] {
    return this.writes.map((w) => {
      if (!w.plan) throw invalid(`The write group names ${w.table} but makes no write to it.`);
      return { env: w.opened.env, plan: w.plan };
    });
  }
}

/**
 * Runs a group's statements in the caller's transaction and returns how many rows each write
 * wrote. PostgreSQL gets them as one statement of data-modifying WITH clauses, each counted
 * through RETURNING; SQLite runs the same statements one by one.
 */
export async function runWriteGroup(
  trx: Knex.Transaction,
  sqlite: boolean,
  writes: { env: QueryEnvironment; plan: PlannedWrite }[],
): Promise<number[]> {
  const counts = writes.map(() => 0);
  const parts = writes.flatMap((w, i) =>
    w.plan.statements.map((qb) => {
      const { sql, bindings } = qb.toSQL();
      return { i, sql: `${sql} returning 1`, bindings: bindings as Knex.RawBinding[] };
    }),
  );
  const fail = (err: unknown, among: readonly { i: number }[]): never => {
    const table = (err as { table?: string })?.table;
    const failed = among.map((p) => writes[p.i]!).find((w) => w.env.physical === table) ?? writes[among[0]!.i]!;
    return failed.env.failed(err);
  };
  if (sqlite) {
    for (const part of parts) {
      try {
        counts[part.i]! += ((await trx.raw(part.sql, part.bindings)) as unknown[]).length;
      } catch (err) {
        fail(err, [part]);
      }
    }
  } else {
    for (const chunk of chunks(parts)) {
      const sql =
        `with ${chunk.map((p, k) => `w${k} as (${p.sql})`).join(', ')} ` +
        `select ${chunk.map((_, k) => `(select count(*) from w${k}) as c${k}`).join(', ')}`;
      let row: Record<string, unknown>;
      try {
        const result = await trx.raw<{ rows: Record<string, unknown>[] }>(
          sql,
          chunk.flatMap((p) => p.bindings),
        );
        row = result.rows[0]!;
      } catch (err) {
        fail(err, chunk);
      }
      chunk.forEach((p, k) => (counts[p.i]! += Number(row[`c${k}`])));
    }
  }
  for (const [i, w] of writes.entries()) if (counts[i]! > 0) await w.env.wrote(w.plan.action);
  return counts;
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

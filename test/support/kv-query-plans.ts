/**
 * What a database does with plugin storage's statements: the statements a knex runs (its 'query'
 * event), and how each one reaches plugin_kv, from the database's own planner (SQLite's EXPLAIN
 * QUERY PLAN, PostgreSQL's EXPLAIN on fresh statistics with sequential and bitmap scans off, so
 * that the plan shows which index serves the condition, whatever the table's size).
 */
import type { Knex } from 'knex';
import type { Database } from '../../host/db/open-database.js';

export interface RecordedQuery {
  sql: string;
  bindings: unknown[];
}

/** Records every statement `knex` runs from now on; take() returns them and starts afresh. */
export function recordQueries(knex: Knex): { take(): RecordedQuery[] } {
  let queries: RecordedQuery[] = [];
  knex.on('query', (q: { sql: string; bindings?: unknown[] }) => {
    queries.push({ sql: q.sql, bindings: q.bindings ?? [] });
  });
  return {
    take: () => {
      const taken = queries;
      queries = [];
      return taken;
    },
  };
}

/**
 * One line per way the statement reads plugin_kv: "SEARCH <index> (<condition>)", "SCAN" or
 * "SORT" (rows sorted after reading them, all of them). Empty when it reads no row of it (an insert).
 */
export async function kvAccesses(db: Database, query: RecordedQuery): Promise<string[]> {
  if (db.kind === 'sqlite') {
    const bindings = query.bindings as Knex.RawBinding[];
    const rows = await db.knex.raw<{ detail: string }[]>(`explain query plan ${query.sql}`, bindings);
    return rows.flatMap(({ detail }) => {
      if (detail.startsWith('USE TEMP B-TREE')) return ['SORT'];
      const m = /^(SEARCH|SCAN) plugin_kv\b(?: USING (?:COVERING )?INDEX (\S+) \((.*)\))?/.exec(detail);
      if (!m) return [];
      return [m[1] === 'SEARCH' ? `SEARCH ${m[2]} (${m[3]})` : 'SCAN'];
    });
  }
  return db.knex.transaction(async (trx) => {
    // Plans come from the table's statistics: without any (a table never analysed) PostgreSQL
    // guesses one row and any index of plugin_id looks as good; autovacuum keeps real ones.
    await trx.raw('analyze plugin_kv');
    await trx.raw('set local enable_seqscan = off; set local enable_bitmapscan = off');
    const sql = `explain (format json) ${query.sql.replace(/\$\d+/g, '?')}`;
    const result = await trx.raw<{ rows: { 'QUERY PLAN': unknown }[] }>(sql, query.bindings as Knex.RawBinding[]);
    const [top] = result.rows[0]!['QUERY PLAN'] as { Plan: PgPlan }[];
    return pgAccesses(top!.Plan);
  });
}

/** Whether every access reads the plugin's rows by more than its id, in key order: work that no longer grows with its key count. */
export function bounded(accesses: string[]): boolean {
  return accesses.every((a) => a.startsWith('SEARCH') && /key|expires_at/.test(a.slice(a.indexOf('('))));
}

interface PgPlan {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgPlan[];
}

function pgAccesses(plan: PgPlan): string[] {
  const own: string[] = [];
  const type = plan['Node Type'];
  if (type === 'Sort' || type === 'Incremental Sort') own.push('SORT');
  else if (plan['Relation Name'] === 'plugin_kv' && type !== 'ModifyTable') {
    // Without the values (a key may read "key") or the casts: ((plugin_id)::text = 'x'::text).
    const cond = (plan['Index Cond'] ?? '').replace(/'(?:[^']|'')*'(?:::\w+)?/g, '?').replace(/\)::text/g, ')');
    own.push(type.startsWith('Index') ? `SEARCH ${plan['Index Name']} (${cond})` : 'SCAN');
  }
  return [...own, ...(plan.Plans ?? []).flatMap(pgAccesses)];
}

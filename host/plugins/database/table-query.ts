import type { Knex } from 'knex';
import type { Comparison, Row, TableQuery } from '../../../sdk/plugin/database.js';
import { fromDatabase, PG_TYPES, rowFromDatabase, type ColumnInfo } from './column-values.js';
import { columnOf, execute, invalid, valueFor, writableRow, type QueryEnvironment } from './query-environment.js';
import type { PlannedRead } from './read-group.js';
import { affectedRows, NUMERIC, planWrite, type PlannedWrite, type WriteCall } from './table-writes.js';

const OPERATORS: Record<Comparison, string> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  like: 'like',
};
type Filter = (qb: Knex.QueryBuilder) => void;

/**
 * A query on one plugin table. Filters are checked as they are chained (so a typo fails at the
 * line that made it) and applied to a fresh knex builder at the terminal call.
 */
export class PluginTableQuery<R extends Row = Row> implements TableQuery<R> {
  private readonly filters: Filter[] = [];
  private readonly order: [string, 'asc' | 'desc'][] = [];
  private readonly groups: string[] = [];
  private selected: string[] | null = null;
  private limitCount: number | null = null;
  private offsetCount: number | null = null;
  private lock = false;

  constructor(private readonly env: QueryEnvironment) {}

  where(conditionsOrColumn: Partial<R> | string, op?: Comparison, value?: unknown): TableQuery<R> {
    if (typeof conditionsOrColumn === 'string') return this.compare(conditionsOrColumn, op, value);
    if (conditionsOrColumn === null || typeof conditionsOrColumn !== 'object' || Array.isArray(conditionsOrColumn)) {
      throw invalid('where() takes an object of column values, or (column, operator, value).');
    }
    for (const [column, v] of Object.entries(conditionsOrColumn)) this.compare(column, '=', v);
    return this;
  }

  whereIn(column: string, values: readonly unknown[]): TableQuery<R> {
    const info = this.column(column);
    if (!Array.isArray(values)) throw invalid(`whereIn(${column}) takes an array of values.`);
    const converted = values.map((v) => this.value(column, info, v));
    // On PostgreSQL the list is one array, so the statement's text does not change with its length
    // (a write group's text is then one per shape, prepared once per connection).
    if (this.env.sqlite) this.filters.push((qb) => void qb.whereIn(column, converted as never[]));
    else
      this.filters.push(
        (qb) => void qb.whereRaw(`?? = any(?::${PG_TYPES[info.kind]}[])`, [column, converted as Knex.Value]),
      );
    return this;
  }

  whereNull(column: string): TableQuery<R> {
    this.column(column);
    this.filters.push((qb) => void qb.whereNull(column));
    return this;
  }

  whereNotNull(column: string): TableQuery<R> {
    this.column(column);
    this.filters.push((qb) => void qb.whereNotNull(column));
    return this;
  }

  orderBy(column: string, direction: 'asc' | 'desc' = 'asc'): TableQuery<R> {
    this.column(column);
    if (direction !== 'asc' && direction !== 'desc')
      throw invalid(`orderBy direction must be "asc" or "desc", not ${JSON.stringify(direction)}.`);
    this.order.push([column, direction]);
    return this;
  }

  groupBy(...columns: string[]): TableQuery<R> {
    for (const column of columns) this.column(column);
    this.groups.push(...columns);
    return this;
  }

  limit(count: number): TableQuery<R> {
    this.limitCount = this.count_('limit', count);
    return this;
  }

  offset(count: number): TableQuery<R> {
    this.offsetCount = this.count_('offset', count);
    return this;
  }

  columns(...columns: string[]): TableQuery<R> {
    for (const column of columns) this.column(column);
    this.selected = columns;
    return this;
  }

  forUpdate(): TableQuery<R> {
    if (!this.env.inTransaction)
      throw invalid('forUpdate() locks rows until a transaction ends, so it only works inside database.transaction().');
    this.lock = true;
    return this;
  }

  async all(): Promise<R[]> {
    const read = this.planRead();
    return this.run(read.statement(this.env.begin()), read.rows);
  }

  /** What all() runs and how its rows come back, to run here or in a read group. */
  planRead(): PlannedRead<R> {
    return {
      env: this.env,
      statement: (executor) => {
        const qb = this.read(executor);
        if (this.limitCount !== null) qb.limit(this.limitCount);
        return qb;
      },
      rows: (rows: Row[]) => rows.map((r) => this.row(r) as R),
    };
  }

  async first(): Promise<R | null> {
    const qb = this.read(this.env.begin()).limit(1);
    return this.run(qb, (rows: Row[]) => (rows[0] ? (this.row(rows[0]) as R) : null));
  }

  async count(): Promise<number> {
    const qb = this.filtered(this.env.begin()).count({ count: '*' });
    return this.run(qb, (rows: { count: unknown }[]) => Number(rows[0]?.count ?? 0));
  }

  async aggregate(spec: {
    count?: boolean;
    sum?: readonly string[];
    min?: readonly string[];
    max?: readonly string[];
  }): Promise<Row[]> {
    const qb = this.filtered(this.env.begin());
    const sums = spec.sum ?? [];
    for (const c of sums) if (!NUMERIC.has(this.column(c).kind)) throw invalid(`sum(${c}) needs a numeric column.`);
    const extremes = [
      ...(spec.min ?? []).map((c) => ['min', c] as const),
      ...(spec.max ?? []).map((c) => ['max', c] as const),
    ];
    for (const [, c] of extremes) this.column(c);
    if (!spec.count && sums.length === 0 && extremes.length === 0)
      throw invalid('aggregate() needs count, sum, min or max.');
    for (const [column] of this.order) {
      if (!this.groups.includes(column))
        throw invalid(`An aggregate can only be ordered by its groupBy columns, not ${column}.`);
    }
    if (this.groups.length > 0) qb.select(this.groups).groupBy(this.groups);
    if (spec.count) qb.count({ count: '*' });
    for (const c of sums) qb.sum({ [`sum_${c}`]: c });
    for (const [fn, c] of extremes) qb[fn]({ [`${fn}_${c}`]: c });
    for (const [column, direction] of this.order) qb.orderBy(column, direction);
    if (this.limitCount !== null) qb.limit(this.limitCount);
    return this.run(qb, (rows: Row[]) =>
      rows.map((r) => {
        const out: Row = {};
        for (const g of this.groups) out[g] = fromDatabase(this.env.columns[g], r[g]);
        if (spec.count) out.count = Number(r.count ?? 0);
        for (const c of sums) out[`sum_${c}`] = Number(r[`sum_${c}`] ?? 0);
        for (const [fn, c] of extremes) out[`${fn}_${c}`] = fromDatabase(this.env.columns[c], r[`${fn}_${c}`]);
        return out;
      }),
    );
  }

  async insert(rows: R | readonly R[], options: { onConflictIgnore?: readonly string[] } = {}): Promise<R[]> {
    const inserted: R[] = [];
    // An insert plans as query builders only, which can return the rows stored.
    for (const qb of this.plan({ kind: 'insert', rows, options }).statements as Knex.QueryBuilder[])
      inserted.push(...(await this.run(qb.returning('*'), (out: Row[]) => out.map((r) => this.row(r) as R))));
    if (inserted.length > 0) await this.env.wrote('insert');
    return inserted;
  }

  update(patch: Partial<R>): Promise<number> {
    return this.write({ kind: 'update', patch });
  }

  updateEach(key: string | readonly string[], rows: readonly Partial<R>[]): Promise<number> {
    return this.write({ kind: 'updateEach', key, rows });
  }

  increment(column: string, by: number): Promise<number> {
    return this.write({ kind: 'increment', column, by });
  }

  delete(): Promise<number> {
    return this.write({ kind: 'delete' });
  }

  /** The write's checked statements, to run here or in a write group. */
  plan(call: WriteCall): PlannedWrite {
    return planWrite(this.env, (executor) => this.filtered(executor), this.filters.length, call);
  }

  private async write(call: WriteCall): Promise<number> {
    const { action, statements } = this.plan(call);
    let count = 0;
    for (const qb of statements) count += await this.run(qb, affectedRows);
    if (count > 0) await this.env.wrote(action);
    return count;
  }

  private compare(column: string, op: Comparison | undefined, value: unknown): this {
    const info = this.column(column);
    if (op === undefined || !Object.prototype.hasOwnProperty.call(OPERATORS, op)) {
      throw invalid(`Unknown operator ${JSON.stringify(op)}; use one of ${Object.keys(OPERATORS).join(' ')}.`);
    }
    if (value === null || value === undefined) {
      if (op === '=') return this.whereNull(column) as this;
      if (op === '!=') return this.whereNotNull(column) as this;
      throw invalid(`${column} ${op} null compares with nothing; use whereNull or whereNotNull.`);
    }
    if (op === 'like' && typeof value !== 'string') throw invalid(`like needs a string pattern for ${column}.`);
    const converted = op === 'like' ? value : this.value(column, info, value);
    this.filters.push((qb) => void qb.where(column, OPERATORS[op], converted as string));
    return this;
  }

  private column(column: unknown): ColumnInfo {
    return columnOf(this.env, column);
  }

  private value(column: string, info: ColumnInfo, value: unknown): unknown {
    return valueFor(this.env, column, info, value);
  }

  private writable(row: Row, what: string): Row {
    return writableRow(this.env, row, what);
  }

  private count_(what: string, n: unknown): number {
    if (!Number.isSafeInteger(n) || (n as number) < 0)
      throw invalid(`${what}() takes a non-negative integer, not ${JSON.stringify(n)}.`);
    return n as number;
  }

  private filtered(executor: Knex | Knex.Transaction): Knex.QueryBuilder {
    const qb = executor(this.env.physical);
    for (const apply of this.filters) apply(qb);
    return qb;
  }

  private read(executor: Knex | Knex.Transaction): Knex.QueryBuilder {
    const qb = this.filtered(executor).select(this.selected ?? '*');
    if (this.groups.length > 0) throw invalid('groupBy() goes with aggregate(), not with all() or first().');
    for (const [column, direction] of this.order) qb.orderBy(column, direction);
    if (this.offsetCount !== null) qb.offset(this.offsetCount);
    if (this.lock && !this.env.sqlite) qb.forUpdate();
    return qb;
  }

  private row(raw: Row): Row {
    return rowFromDatabase(this.env.columns, raw);
  }

  private run<T, U>(qb: PromiseLike<T>, convert: (result: T) => U): Promise<U> {
    return execute(this.env, qb, convert);
  }
}

/**
 * A trusted plugin's own tables (permission `database`). Tables live in the host's database
 * under a name private to the plugin; the plugin creates and changes them in its migrations
 * and queries them at run time through this small, portable query API (the same code runs on
 * SQLite and PostgreSQL). Nothing here reaches tables of the host or of other plugins.
 */

/** How a column stores its values; the host converts them the same way on both databases. */
export type ColumnKind = 'id' | 'string' | 'text' | 'integer' | 'bigInteger' | 'float' | 'boolean' | 'json';

/** A row as the plugin sees it: json columns parsed, booleans as booleans. */
export type Row = Record<string, unknown>;

export interface ColumnDefinition {
  /** Refuse null (columns are nullable otherwise). */
  notNull(): ColumnDefinition;
  defaultTo(value: string | number | boolean | null): ColumnDefinition;
  unique(): ColumnDefinition;
  index(): ColumnDefinition;
}

export interface TableDefinition {
  /** An auto-increment 64-bit integer primary key, `id` unless named. */
  id(name?: string): ColumnDefinition;
  /** Text of at most `length` characters (default 255). */
  string(name: string, length?: number): ColumnDefinition;
  text(name: string): ColumnDefinition;
  /** 32-bit integer. */
  integer(name: string): ColumnDefinition;
  /** 64-bit integer, read back as a number (values stay within Number.MAX_SAFE_INTEGER). */
  bigInteger(name: string): ColumnDefinition;
  float(name: string): ColumnDefinition;
  boolean(name: string): ColumnDefinition;
  /** Any JSON value, stored as text and parsed on read. */
  json(name: string): ColumnDefinition;
  primary(columns: readonly string[]): void;
  unique(columns: readonly string[]): void;
  index(columns: readonly string[]): void;
}

/** Only in migrations: create and change the plugin's tables. */
export interface PluginSchema {
  createTable(name: string, define: (table: TableDefinition) => void): Promise<void>;
  /** Adds columns (nullable or with a default), indexes and unique constraints. */
  alterTable(name: string, define: (table: TableDefinition) => void): Promise<void>;
  dropTable(name: string): Promise<void>;
  hasTable(name: string): Promise<boolean>;
}

export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like';

/** The filters that choose a query's rows, each returning the query for chaining. */
export interface RowFilters<R extends Row, Self> {
  where(conditions: Partial<R>): Self;
  where(column: keyof R & string, op: Comparison, value: unknown): Self;
  whereIn(column: keyof R & string, values: readonly unknown[]): Self;
  whereNull(column: keyof R & string): Self;
  whereNotNull(column: keyof R & string): Self;
}

/**
 * A query on one table, built by chaining filters and ended by one terminal call. Column names
 * are checked against the table's definition; values against the column kinds.
 */
export interface TableQuery<R extends Row = Row> extends RowFilters<R, TableQuery<R>> {
  orderBy(column: keyof R & string, direction?: 'asc' | 'desc'): TableQuery<R>;
  groupBy(...columns: (keyof R & string)[]): TableQuery<R>;
  limit(count: number): TableQuery<R>;
  offset(count: number): TableQuery<R>;
  /** Only these columns in the rows returned. */
  columns(...columns: (keyof R & string)[]): TableQuery<R>;
  /**
   * Locks the selected rows until the transaction ends (SELECT … FOR UPDATE on PostgreSQL;
   * SQLite has one writer, so there it needs no lock). Only inside a transaction.
   */
  forUpdate(): TableQuery<R>;

  all(): Promise<R[]>;
  first(): Promise<R | null>;
  count(): Promise<number>;
  /** Sums, counts, minima and maxima, per group when groupBy was given. Keys: count, sum_<col>, min_<col>, max_<col>, and the group columns. */
  aggregate(spec: {
    count?: boolean;
    sum?: readonly string[];
    min?: readonly string[];
    max?: readonly string[];
  }): Promise<Row[]>;
  /**
   * Inserts one or more rows and returns them as stored (with ids and defaults). A row that
   * breaks a unique constraint fails the call with database_conflict, unless
   * `onConflictIgnore` names the constraint's columns: then it is skipped and not returned.
   */
  insert(rows: R | readonly R[], options?: { onConflictIgnore?: readonly string[] }): Promise<R[]>;
  /** Changes the matching rows; returns how many. */
  update(patch: Partial<R>): Promise<number>;
  /**
   * Updates many rows, each to its own values: every row names the values of the key column(s)
   * and the same set of other columns. Returns how many rows changed. It is one statement of at
   * most 30,000 values (rows × columns, keys included); outside a transaction more is
   * database_invalid_query, since only one statement changes all or none. Inside one, a larger
   * update is split into such statements, atomic with the transaction.
   */
  updateEach(key: (keyof R & string) | readonly (keyof R & string)[], rows: readonly Partial<R>[]): Promise<number>;
  /** Adds `by` (may be negative) to a numeric column of the matching rows; returns how many. */
  increment(column: keyof R & string, by: number): Promise<number>;
  /** Deletes the matching rows; returns how many. */
  delete(): Promise<number>;
}

/** The filters a grouped write may take (see WriteGroup). */
export interface GroupedWrite<R extends Row = Row> extends RowFilters<R, GroupedWrite<R>> {
  /** As TableQuery's; the group's result gives how many rows it wrote (a row skipped on conflict is not counted). */
  insert(rows: R | readonly R[], options?: { onConflictIgnore?: readonly string[] }): void;
  update(patch: Partial<R>): void;
  updateEach(key: (keyof R & string) | readonly (keyof R & string)[], rows: readonly Partial<R>[]): void;
  increment(column: keyof R & string, by: number): void;
  delete(): void;
  /**
   * Makes this write (an `update`, `increment` or `delete`) happen only if the group's write
   * number `earlier` (counted from 0 in the order named; an `update`, `increment` or `delete`
   * named before this one) wrote a row; otherwise it writes nothing and counts 0. A
   * compare-and-set and the change that depends on it, in one round trip.
   */
  onlyIfWrote(earlier: number): GroupedWrite<R>;
}

/**
 * Writes sent to the database together (see DatabaseTransaction.writeTogether): one write call
 * per table, each on its own table, so that no two can touch the same row.
 */
export interface WriteGroup {
  table<R extends Row = Row>(name: string): GroupedWrite<R>;
}

/** The rows of each query of a read group, in the order the queries were given. */
export type RowsOf<Q extends readonly TableQuery<Row>[]> = {
  [K in keyof Q]: Q[K] extends TableQuery<infer R> ? R[] : never;
};

/** How many queries one read group may carry. */
export const MAX_READS_TOGETHER = 16;

export interface DatabaseTransaction {
  table<R extends Row = Row>(name: string): TableQuery<R>;
  /**
   * Runs these queries of this transaction (made with `tx.table(…)`, not ended by a terminal
   * call) as `all()` would, in the order given, and resolves to each one's rows in that order.
   * On PostgreSQL they go as one statement: one round trip however many tables they read, and
   * their `forUpdate()` locks are taken query by query in the order given. On SQLite they run one
   * after another (there is no round trip to save). For a transaction that locks rows of several
   * tables before it decides anything: each lock it waits for is held by someone else meanwhile.
   * At most MAX_READS_TOGETHER queries; limit and offset apply to each query as set.
   */
  readTogether<const Q extends readonly TableQuery<Row>[]>(queries: Q): Promise<RowsOf<Q>>;
  /**
   * Runs the writes `build` names as one statement on PostgreSQL (one round trip however many
   * writes), one after another on SQLite (which has no round trip to save), and resolves to how
   * many rows each wrote, in the order given. For the writes of a transaction that need nothing
   * back, above all while it holds row locks that others wait for. The writes must not depend on
   * each other: on PostgreSQL they all see the rows as they were before the group, so each
   * goes to a different table (a second write to one table fails with database_invalid_query).
   * A write that fails fails the group and the transaction, as a single statement does.
   */
  writeTogether(build: (group: WriteGroup) => void): Promise<number[]>;
  /**
   * As above, resolving instead to the rows each write wrote, as stored, in the order named: an
   * insert's as insert() returns them (ids and defaults filled in, rows skipped on conflict left
   * out), an update's as they are after it, a delete's as they were. For writes whose rows the
   * transaction needs next (the ids it inserted), still in one round trip.
   */
  writeTogether(build: (group: WriteGroup) => void, options: WriteTogetherOptions): Promise<Row[][]>;
}

/** writeTogether's options: `returnRows: true` resolves to each write's rows instead of its count. */
export interface WriteTogetherOptions {
  returnRows: true;
}

/**
 * permission database. Statements outside a transaction each commit on their own. Inside
 * `transaction` they commit together or not at all; the callback must only use `tx` (calling
 * any other capability there fails with database_transaction_scope, because on SQLite the
 * transaction holds the only connection), and it must finish within `timeoutMs` (default
 * 5000), or the transaction rolls back with database_transaction_timeout.
 */
export interface DatabaseCapability {
  table<R extends Row = Row>(name: string): TableQuery<R>;
  transaction<T>(work: (tx: DatabaseTransaction) => Promise<T>, options?: { timeoutMs?: number }): Promise<T>;
  /**
   * A write group (see DatabaseTransaction.writeTogether) that commits on its own, all or
   * nothing: one statement on PostgreSQL (one round trip, where a transaction costs four), one
   * transaction on SQLite. Each write is audited as a single write is.
   */
  writeTogether(build: (group: WriteGroup) => void): Promise<number[]>;
  /** As above, resolving to each write's rows (see DatabaseTransaction.writeTogether). */
  writeTogether(build: (group: WriteGroup) => void, options: WriteTogetherOptions): Promise<Row[][]>;
}

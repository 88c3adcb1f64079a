import type { Knex } from 'knex';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { ColumnDefinition, ColumnKind, TableDefinition } from '../../../sdk/plugin/database.js';
import { toDatabase, type ColumnInfo } from './column-values.js';
import { assertColumnName, indexName } from './table-names.js';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
  length?: number;
  notNull: boolean;
  hasDefault: boolean;
  defaultValue?: string | number | boolean | null;
}

/** What a plugin's define callback described: plain data, checked before any DDL runs. */
export interface TableSpec {
  columns: ColumnSpec[];
  primary: string[] | null;
  uniques: string[][];
  indexes: string[][];
}

function invalid(message: string): SwitchboardError {
  return new SwitchboardError('database_schema_invalid', message);
}

/** Runs the plugin's define callback against a recorder. */
export function describeTable(table: string, define: (t: TableDefinition) => void): TableSpec {
  if (typeof define !== 'function')
    throw invalid(`The definition of table ${table} must be a function (table) => { … }.`);
  const spec: TableSpec = { columns: [], primary: null, uniques: [], indexes: [] };
  const add = (name: string, kind: ColumnKind, length?: number): ColumnDefinition => {
    assertColumnName(name, 'database_schema_invalid');
    if (spec.columns.some((c) => c.name === name)) throw invalid(`Column ${table}.${name} is defined twice.`);
    const column: ColumnSpec = { name, kind, length, notNull: kind === 'id', hasDefault: false };
    spec.columns.push(column);
    const builder: ColumnDefinition = {
      notNull: () => ((column.notNull = true), builder),
      defaultTo: (value) => {
        if (kind === 'id') throw invalid(`The id column ${table}.${name} takes no default.`);
        toDatabase(table, name, { kind, length }, value, false);
        column.hasDefault = true;
        column.defaultValue = value;
        return builder;
      },
      unique: () => (spec.uniques.push([name]), builder),
      index: () => (spec.indexes.push([name]), builder),
    };
    return builder;
  };
  const columnList = (what: string, columns: readonly string[]): string[] => {
    if (!Array.isArray(columns) || columns.length === 0)
      throw invalid(`${what} on table ${table} needs a non-empty list of columns.`);
    return columns.map((c) => assertColumnName(c, 'database_schema_invalid'));
  };
  const definition: TableDefinition = {
    id: (name = 'id') => add(name, 'id'),
    string: (name, length = 255) => {
      if (!Number.isInteger(length) || length < 1 || length > 10_000)
        throw invalid(`string(${name}) length must be an integer from 1 to 10000.`);
      return add(name, 'string', length);
    },
    text: (name) => add(name, 'text'),
    integer: (name) => add(name, 'integer'),
    bigInteger: (name) => add(name, 'bigInteger'),
    float: (name) => add(name, 'float'),
    boolean: (name) => add(name, 'boolean'),
    json: (name) => add(name, 'json'),
    primary: (columns) => {
      if (spec.primary) throw invalid(`Table ${table} has two primary keys.`);
      spec.primary = columnList('primary', columns);
    },
    unique: (columns) => void spec.uniques.push(columnList('unique', columns)),
    index: (columns) => void spec.indexes.push(columnList('index', columns)),
  };
  define(Object.freeze(definition));
  // SQLite would allow null in a primary key column; PostgreSQL would not.
  for (const c of spec.columns) if (spec.primary?.includes(c.name)) c.notNull = true;
  return spec;
}

/** Checks a spec against the columns the table has (none for a new table). */
export function checkTableSpec(
  table: string,
  spec: TableSpec,
  existing: Readonly<Record<string, ColumnInfo>> | null,
): void {
  const all = new Set([...Object.keys(existing ?? {}), ...spec.columns.map((c) => c.name)]);
  for (const column of spec.columns) {
    if (existing && existing[column.name]) throw invalid(`Table ${table} already has a column ${column.name}.`);
  }
  const ids = spec.columns.filter((c) => c.kind === 'id');
  if (existing) {
    if (ids.length > 0) throw invalid(`An id column can only be part of a new table, not added to ${table}.`);
    if (spec.primary) throw invalid(`The primary key of ${table} is set when the table is created.`);
    const required = spec.columns.find((c) => c.notNull && !c.hasDefault);
    if (required)
      throw invalid(
        `Column ${table}.${required.name} is added to rows that exist, so it must be nullable or have a default.`,
      );
  } else {
    if (spec.columns.length === 0) throw invalid(`Table ${table} needs at least one column.`);
    if (ids.length > 1 || (ids.length === 1 && spec.primary))
      throw invalid(`Table ${table} may have one primary key: an id column or primary([...]).`);
  }
  for (const list of [...(spec.primary ? [spec.primary] : []), ...spec.uniques, ...spec.indexes]) {
    const unknown = list.find((c) => !all.has(c));
    if (unknown) throw invalid(`Table ${table} has no column ${unknown} to index.`);
  }
}

/** Applies a checked spec inside knex's createTable/alterTable callback. */
export function applyTableSpec(
  t: Knex.CreateTableBuilder | Knex.AlterTableBuilder,
  physical: string,
  spec: TableSpec,
  sqlite: boolean,
): void {
  for (const c of spec.columns) {
    let column: Knex.ColumnBuilder;
    switch (c.kind) {
      case 'id':
        column = t.bigIncrements(c.name, { primaryKey: true });
        break;
      case 'string':
        column = t.string(c.name, c.length);
        break;
      case 'text':
      case 'json':
        column = t.text(c.name);
        break;
      case 'integer':
        column = t.integer(c.name);
        break;
      case 'bigInteger':
        column = t.bigInteger(c.name);
        break;
      case 'float':
        column = t.double(c.name);
        break;
      case 'boolean':
        column = t.boolean(c.name);
        break;
    }
    if (c.kind !== 'id') {
      if (c.notNull) column.notNullable();
      else column.nullable();
    }
    if (c.hasDefault)
      column.defaultTo(
        toDatabase('', c.name, { kind: c.kind, length: c.length }, c.defaultValue ?? null, sqlite) as string,
      );
  }
  if (spec.primary) t.primary(spec.primary, indexName(physical, 'pk', spec.primary));
  for (const u of spec.uniques) t.unique(u, { indexName: indexName(physical, 'ux', u) });
  for (const i of spec.indexes) t.index(i, indexName(physical, 'ix', i));
}

export function columnInfos(spec: TableSpec): Record<string, ColumnInfo> {
  const out: Record<string, ColumnInfo> = {};
  for (const c of spec.columns)
    out[c.name] = c.length === undefined ? { kind: c.kind } : { kind: c.kind, length: c.length };
  return out;
}

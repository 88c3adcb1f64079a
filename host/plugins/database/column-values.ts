import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { ColumnKind } from '../../../sdk/plugin/database.js';

export interface ColumnInfo {
  kind: ColumnKind;
  length?: number;
}

/** Each kind's type in PostgreSQL, to cast a bare parameter (a VALUES slot, or an array for unnest and any). */
export const PG_TYPES: Readonly<Record<ColumnKind, string>> = {
  id: 'bigint',
  bigInteger: 'bigint',
  integer: 'integer',
  float: 'double precision',
  boolean: 'boolean',
  string: 'text',
  text: 'text',
  json: 'text',
};

const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

function invalid(table: string, column: string, message: string): SwitchboardError {
  return new SwitchboardError('database_invalid_query', `${table}.${column} ${message}.`, {
    details: [{ path: `/${table}/${column}`, message }],
  });
}

/**
 * Checks a value against its column and converts it for the database. The checks are the
 * same on both databases, so a plugin that works on SQLite (which stores anything anywhere)
 * works on PostgreSQL too.
 */
export function toDatabase(table: string, column: string, info: ColumnInfo, value: unknown, sqlite: boolean): unknown {
  if (value === null) return null;
  switch (info.kind) {
    case 'string':
    case 'text':
      if (typeof value !== 'string') throw invalid(table, column, 'must be a string');
      if (info.length !== undefined && value.length > info.length)
        throw invalid(table, column, `must be at most ${info.length} characters`);
      return value;
    case 'integer':
      if (!Number.isInteger(value) || (value as number) < INT32_MIN || (value as number) > INT32_MAX)
        throw invalid(table, column, 'must be a 32-bit integer');
      return value;
    case 'id':
    case 'bigInteger':
      if (!Number.isSafeInteger(value)) throw invalid(table, column, 'must be an integer within ±(2^53 - 1)');
      return value;
    case 'float':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(table, column, 'must be a finite number');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw invalid(table, column, 'must be true or false');
      return sqlite ? (value ? 1 : 0) : value;
    case 'json': {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch (err) {
        throw invalid(table, column, `must be JSON-serialisable (${(err as Error).message})`);
      }
      if (text === undefined) throw invalid(table, column, 'must be JSON-serialisable');
      return text;
    }
  }
}

/** Converts a stored value back to what the plugin wrote. */
export function fromDatabase(info: ColumnInfo | undefined, value: unknown): unknown {
  if (value === null || value === undefined || !info) return value ?? null;
  switch (info.kind) {
    case 'boolean':
      return value === true || value === 1 || value === '1' || value === 't';
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value;
    case 'id':
    case 'integer':
    case 'bigInteger':
    case 'float':
      return typeof value === 'number' ? value : Number(value);
    default:
      return value;
  }
}

/** A stored row as the plugin wrote it: each column converted back by its kind. */
export function rowFromDatabase(columns: Readonly<Record<string, ColumnInfo>>, raw: Readonly<Record<string, unknown>>) {
  const out: Record<string, unknown> = {};
  for (const [column, v] of Object.entries(raw)) out[column] = fromDatabase(columns[column], v);
  return out;
}

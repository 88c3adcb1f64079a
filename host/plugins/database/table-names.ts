import { createHash } from 'node:crypto';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';

/** PostgreSQL truncates longer identifiers; SQLite does not, but names must mean the same on both. */
const MAX_IDENTIFIER = 63;
const TABLE_NAME = /^[a-z](?:[a-z0-9]|_(?!_))*[a-z0-9]$|^[a-z]$/;
const COLUMN_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/**
 * A plugin's table "orders" lives as p_<id>__orders (dashes of the id become underscores).
 * Table names never hold "__" nor start or end with "_", so the last "__" splits the physical
 * name unambiguously and no plugin can name a table of another.
 */
export function physicalTableName(pluginId: string, table: string): string {
  return `p_${pluginId.replace(/-/g, '_')}__${table}`;
}

export function maxTableNameLength(pluginId: string): number {
  return MAX_IDENTIFIER - physicalTableName(pluginId, '').length;
}

export function assertTableName(
  pluginId: string,
  table: unknown,
  code: 'database_invalid_query' | 'database_schema_invalid',
): string {
  const max = maxTableNameLength(pluginId);
  if (typeof table !== 'string' || !TABLE_NAME.test(table) || table.length > max) {
    throw new SwitchboardError(
      code,
      `Table name ${JSON.stringify(table)} is not valid: use lower-case letters, digits and single underscores, starting with a letter, at most ${max} characters.`,
    );
  }
  return table;
}

export function assertColumnName(column: unknown, code: 'database_invalid_query' | 'database_schema_invalid'): string {
  if (typeof column !== 'string' || !COLUMN_NAME.test(column)) {
    throw new SwitchboardError(
      code,
      `Column name ${JSON.stringify(column)} is not valid: use lower-case letters, digits and underscores, starting with a letter, at most 63 characters.`,
    );
  }
  return column;
}

/** Index and constraint names are schema-wide on PostgreSQL, so they derive from a hash. */
export function indexName(physicalTable: string, kind: 'ix' | 'ux' | 'pk', columns: readonly string[]): string {
  const hash = createHash('sha256')
    .update(`${physicalTable}|${kind}|${columns.join(',')}`)
    .digest('hex')
    .slice(0, 24);
  return `${kind}_${hash}`;
}

import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { TableDefinition } from '../../../sdk/plugin/database.js';
import { Tokens } from '../../core/container-tokens.js';
import type { Clock } from '../../core/clock.js';
import type { Database } from '../../db/open-database.js';
import { asSystemError } from '../../db/database-errors.js';
import { isUniqueViolation } from '../../db/unique-violation.js';
import type { ColumnInfo } from './column-values.js';
import { applyTableSpec, checkTableSpec, columnInfos, describeTable } from './table-definition.js';
import { assertTableName, physicalTableName } from './table-names.js';

export type TableColumns = Readonly<Record<string, ColumnInfo>>;

interface TableRow {
  plugin_id: string;
  name: string;
  columns: string;
}

const CONSTRAINT_CODES = new Set([
  '23502',
  '23503',
  '23514',
  'SQLITE_CONSTRAINT_NOTNULL',
  'SQLITE_CONSTRAINT_CHECK',
  'SQLITE_CONSTRAINT_FOREIGNKEY',
]);
const RETRY_CODES = new Set(['40001', '40P01']);

/**
 * Plugins' own tables: their DDL (recorded in plugin_tables with each column's kind, in the
 * same transaction), the catalog queries are checked against, and purging. Each plugin only
 * ever reaches names under its own prefix.
 */
@injectable()
export class PluginDatabase {
  private readonly catalogs = new Map<string, Map<string, TableColumns>>();

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  get knex(): Knex {
    return this.db.knex;
  }

  get sqlite(): boolean {
    return this.db.kind === 'sqlite';
  }

  /** Reads the plugin's tables from the database (at install, so every host agrees). */
  async reload(pluginId: string): Promise<void> {
    const rows = await this.db.knex<TableRow, TableRow[]>('plugin_tables').where({ plugin_id: pluginId });
    this.catalogs.set(pluginId, new Map(rows.map((r) => [r.name, JSON.parse(r.columns) as TableColumns])));
  }

  tables(pluginId: string): ReadonlyMap<string, TableColumns> {
    return this.catalogs.get(pluginId) ?? new Map();
  }

  /** The columns of a table, or database_invalid_query naming the tables there are. */
  columnsOf(pluginId: string, table: string): TableColumns {
    assertTableName(pluginId, table, 'database_invalid_query');
    const columns = this.tables(pluginId).get(table);
    if (!columns) {
      const known = [...this.tables(pluginId).keys()];
      throw new SwitchboardError(
        'database_invalid_query',
        `Plugin ${pluginId} has no table ${table}${known.length ? `; it has ${known.join(', ')}` : '; create tables in a migration'}.`,
      );
    }
    return columns;
  }

  async createTable(pluginId: string, table: string, define: (t: TableDefinition) => void): Promise<void> {
    assertTableName(pluginId, table, 'database_schema_invalid');
    if (this.tables(pluginId).has(table))
      throw new SwitchboardError('database_schema_invalid', `Plugin ${pluginId} already has a table ${table}.`);
    const spec = describeTable(table, define);
    checkTableSpec(table, spec, null);
    const physical = physicalTableName(pluginId, table);
    const columns = columnInfos(spec);
    await this.ddl(async (trx) => {
      await trx.schema.createTable(physical, (t) => applyTableSpec(t, physical, spec, this.sqlite));
      await trx('plugin_tables').insert({
        plugin_id: pluginId,
        name: table,
        columns: JSON.stringify(columns),
        created_at: this.clock.now(),
      });
    });
    this.catalog(pluginId).set(table, columns);
  }

  async alterTable(pluginId: string, table: string, define: (t: TableDefinition) => void): Promise<void> {
    const existing = this.columnsOfForSchema(pluginId, table);
    const spec = describeTable(table, define);
    checkTableSpec(table, spec, existing);
    const physical = physicalTableName(pluginId, table);
    const columns = { ...existing, ...columnInfos(spec) };
    await this.ddl(async (trx) => {
      await trx.schema.alterTable(physical, (t) => applyTableSpec(t, physical, spec, this.sqlite));
      await trx('plugin_tables')
        .where({ plugin_id: pluginId, name: table })
        .update({ columns: JSON.stringify(columns) });
    });
    this.catalog(pluginId).set(table, columns);
  }

  async dropTable(pluginId: string, table: string): Promise<void> {
    this.columnsOfForSchema(pluginId, table);
    await this.ddl(async (trx) => {
      await trx.schema.dropTableIfExists(physicalTableName(pluginId, table));
      await trx('plugin_tables').where({ plugin_id: pluginId, name: table }).delete();
    });
    this.catalog(pluginId).delete(table);
  }

  /** Drops every table of the plugin, inside the caller's transaction (purge). */
  async dropAll(pluginId: string, trx: Knex.Transaction): Promise<string[]> {
    const rows = await trx<TableRow>('plugin_tables').where({ plugin_id: pluginId }).select<{ name: string }[]>('name');
    for (const { name } of rows) await trx.schema.dropTableIfExists(physicalTableName(pluginId, name));
    await trx('plugin_tables').where({ plugin_id: pluginId }).delete();
    this.catalogs.delete(pluginId);
    return rows.map((r) => r.name);
  }

  /** A driver error as a catalog error a plugin can act on. */
  asCatalogError(err: unknown, table: string): SwitchboardError {
    if (err instanceof SwitchboardError) return err;
    const code = (err as { code?: string })?.code ?? '';
    if (isUniqueViolation(err))
      return new SwitchboardError('database_conflict', `The write to ${table} breaks a unique constraint.`, {
        cause: err,
      });
    if (CONSTRAINT_CODES.has(code))
      return new SwitchboardError(
        'database_constraint',
        `The write to ${table} breaks a constraint: ${(err as Error).message.split('\n')[0]!.replace(/p_[a-z0-9_]+?__/g, '')}`,
        { cause: err },
      );
    if (RETRY_CODES.has(code))
      return new SwitchboardError(
        'unavailable',
        'The database chose this transaction as a deadlock or serialization victim; retry it.',
        { cause: err },
      );
    if (/Transaction query already complete/.test((err as Error)?.message ?? '')) {
      return new SwitchboardError('database_transaction_scope', 'The transaction this handle belongs to has ended.', {
        cause: err,
      });
    }
    return asSystemError(err);
  }

  private columnsOfForSchema(pluginId: string, table: string): TableColumns {
    assertTableName(pluginId, table, 'database_schema_invalid');
    const columns = this.tables(pluginId).get(table);
    if (!columns) throw new SwitchboardError('database_schema_invalid', `Plugin ${pluginId} has no table ${table}.`);
    return columns;
  }

  private catalog(pluginId: string): Map<string, TableColumns> {
    let catalog = this.catalogs.get(pluginId);
    if (!catalog) this.catalogs.set(pluginId, (catalog = new Map<string, TableColumns>()));
    return catalog;
  }

  /** Schema checks run before any DDL, so a driver error here is the host's, and is kept as the cause. */
  private async ddl(work: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
    try {
      await this.db.knex.transaction(work);
    } catch (err) {
      throw this.asCatalogError(err, 'schema');
    }
  }
}

import type { Knex } from 'knex';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type {
  DatabaseCapability,
  DatabaseTransaction,
  PluginSchema,
  Row,
  TableQuery,
  WriteGroup,
} from '../../../sdk/plugin/database.js';
import type { AuditLog } from '../audit-log.js';
import type { PluginDatabase } from '../database/plugin-database.js';
import type { QueryEnvironment, WriteAction } from '../database/query-environment.js';
import { answerOf, groupOf, fitsOneStatement, returnRowsOf, runWriteGroup } from '../database/write-group.js';
import type { OpenedTable } from '../database/write-group.js';
import { PluginTableQuery } from '../database/table-query.js';
import { physicalTableName } from '../database/table-names.js';
import { runReadGroup } from '../database/read-group.js';
import { transactionScope, type TransactionState } from '../database/transaction-scope.js';
import { promised, type CapabilityGuard } from './capability-guard.js';

const DEFAULT_TRANSACTION_MS = 5_000;
const MAX_TRANSACTION_MS = 60_000;

export function databaseCapability(
  guard: CapabilityGuard,
  database: PluginDatabase,
  audit: AuditLog,
): DatabaseCapability {
  const pluginId = guard.pluginId;

  const open = (
    table: string,
    executor: () => Knex | Knex.Transaction,
    state: TransactionState | null,
  ): OpenedTable => {
    const columns = database.columnsOf(pluginId, table);
    const env: QueryEnvironment = {
      table,
      physical: physicalTableName(pluginId, table),
      columns,
      sqlite: database.sqlite,
      inTransaction: state !== null,
      begin: executor,
      wrote: async (action: WriteAction) => {
        if (state) state.writes.add(`${action}:${table}`);
        else await audit.record(pluginId, 'database', action, table);
      },
      failed: (err: unknown) => {
        const error = database.asCatalogError(err, table);
        // PostgreSQL aborts a transaction at its first failed statement and SQLite does not;
        // failing it on both keeps plugins portable.
        if (state && !state.failed) state.failed = error;
        throw error;
      },
    };
    return { env, query: new PluginTableQuery(env) };
  };

  return {
    table<R extends Row>(name: string) {
      guard.need('database');
      return open(name, () => (guard.need('database'), database.knex), null).query as TableQuery<R>;
    },

    writeTogether: (async (build: (group: WriteGroup) => void, options?: unknown) => {
      guard.need('database');
      const returnRows = returnRowsOf(options);
      const writes = groupOf(build, (name) => open(name, () => database.knex, null));
      // One statement commits whole; SQLite's several statements, or a huge group's, need a transaction.
      if (!database.sqlite && fitsOneStatement(writes))
        return answerOf(await runWriteGroup(database.knex, false, writes, returnRows), returnRows);
      try {
        const result = await database.knex.transaction((trx) =>
          runWriteGroup(trx, database.sqlite, writes, returnRows),
        );
        return answerOf(result, returnRows);
      } catch (err) {
        if (err instanceof SwitchboardError) throw err;
        throw database.asCatalogError(err, 'transaction');
      }
    }) as DatabaseCapability['writeTogether'],

    async transaction<T>(work: (tx: DatabaseTransaction) => Promise<T>, options: { timeoutMs?: number } = {}) {
      guard.need('database');
      const timeoutMs = options.timeoutMs ?? DEFAULT_TRANSACTION_MS;
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TRANSACTION_MS) {
        throw new SwitchboardError(
          'database_invalid_query',
          `transaction timeoutMs must be an integer from 1 to ${MAX_TRANSACTION_MS}.`,
        );
      }
      if (typeof work !== 'function')
        throw new SwitchboardError('database_invalid_query', 'transaction() takes an async function (tx) => { … }.');
      const state: TransactionState = { active: true, failed: null, writes: new Set() };
      let thrownByWork: unknown = undefined;
      let result: T;
      try {
        result = await database.knex.transaction(async (trx) => {
          const begin = () => {
            if (!state.active)
              throw new SwitchboardError(
                'database_transaction_scope',
                'The transaction this handle belongs to has ended.',
              );
            if (state.failed)
              throw new SwitchboardError(
                'database_transaction_scope',
                `The transaction failed at an earlier statement (${state.failed.message}) and will roll back.`,
              );
            guard.needWithinTransaction('database');
            return trx;
          };
          const made = new WeakSet<object>();
          const tx: DatabaseTransaction = Object.freeze({
            table: <R extends Row>(name: string) => {
              const { query } = open(name, begin, state);
              made.add(query);
              return query as unknown as TableQuery<R>;
            },
            readTogether: (async (queries: readonly unknown[]) => {
              if (!Array.isArray(queries))
                throw new SwitchboardError('database_invalid_query', 'readTogether() takes an array of queries.');
              for (const q of queries)
                if (!(q instanceof PluginTableQuery) || !made.has(q))
                  throw new SwitchboardError(
                    'database_invalid_query',
                    "readTogether() takes queries made with this transaction's tx.table(…), before any terminal call.",
                  );
              const executor = begin();
              return runReadGroup(
                executor,
                database.sqlite,
                (queries as PluginTableQuery[]).map((q) => q.planRead()),
              );
            }) as DatabaseTransaction['readTogether'],
            writeTogether: (async (build: (group: WriteGroup) => void, options?: unknown) => {
              const returnRows = returnRowsOf(options);
              const writes = groupOf(build, (name) => open(name, begin, state));
              return answerOf(await runWriteGroup(trx, database.sqlite, writes, returnRows), returnRows);
            }) as DatabaseTransaction['writeTogether'],
          });
          let timer: NodeJS.Timeout | undefined;
          const deadline = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new SwitchboardError(
                    'database_transaction_timeout',
                    `The transaction of plugin ${pluginId} ran past ${timeoutMs} ms and was rolled back.`,
                  ),
                ),
              timeoutMs,
            );
          });
          try {
            const done = transactionScope
              .run(state, async () => work(tx))
              .catch((err: unknown) => {
                thrownByWork = err;
                throw err;
              });
            const result = await Promise.race([done, deadline]);
            if (state.failed) throw state.failed;
            return result;
          } finally {
            clearTimeout(timer);
            state.active = false;
          }
        });
      } catch (err) {
        // The plugin's own error comes back as it threw it; the driver's becomes a catalog error.
        if (err === thrownByWork || err instanceof SwitchboardError) throw err;
        throw database.asCatalogError(err, 'transaction');
      }
      // Recorded once committed, behind the call as every other entry is: written inside the
      // transaction, the entry was one more round trip while the transaction held its row locks
      // (a payments batch's wallets), and a rolled-back transaction still records nothing.
      if (state.writes.size > 0)
        await audit.record(pluginId, 'database', 'transaction', [...state.writes].sort().join(' '));
      return result;
    },
  };
}

/** The schema handle a migration gets; `created` collects new tables so a failed migration can drop them. */
export function pluginSchema(
  guard: CapabilityGuard,
  database: PluginDatabase,
  audit: AuditLog,
  created: string[],
): PluginSchema {
  const pluginId = guard.pluginId;
  const audited = async (action: string, table: string, change: () => Promise<void>) => {
    guard.need('database');
    await change();
    await audit.record(pluginId, 'database', action, table);
  };
  return Object.freeze({
    createTable: (name, define) =>
      audited('create_table', name, async () => {
        await database.createTable(pluginId, name, define);
        created.push(name);
      }),
    alterTable: (name, define) => audited('alter_table', name, () => database.alterTable(pluginId, name, define)),
    dropTable: (name) => audited('drop_table', name, () => database.dropTable(pluginId, name)),
    hasTable: (name) =>
      promised(() => {
        guard.need('database');
        return database.tables(pluginId).has(name);
      }),
  } satisfies PluginSchema);
}

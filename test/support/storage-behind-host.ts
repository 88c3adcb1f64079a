/**
 * The host's own plugin storage (PluginStorage) on a real database, for tests that must look at
 * every statement or at the tables between two calls: a host installs the plugins (their rows in
 * `plugins`, their bots) and stops; the storage then runs on the database it leaves, beside a
 * clock the test moves. SQLite's file is the host's alone while it runs, hence the stop.
 */
import 'reflect-metadata';
import type { Knex } from 'knex';
import type { HostConfig } from '../../host/config/host-config.js';
import { openDatabase, type Database } from '../../host/db/open-database.js';
import { createLogger } from '../../host/logging/logger.js';
import { PluginStorage } from '../../host/plugins/plugin-storage.js';
import { startTestHost, type TestHost } from './start-test-host.js';
import { enable, probeManifest } from './plugin-helpers.js';

export interface StorageBehindHost {
  readonly host: TestHost;
  readonly db: Database;
  readonly storage: PluginStorage;
  readonly clock: { now: () => number; advance: (ms: number) => void };
  /** The plugin's running total and the sum of its rows, read in one statement (one snapshot). */
  totals: (pluginId: string) => Promise<{ total: number; summed: number }>;
  close: () => Promise<void>;
}

export const storageManifest = (id: string, storage: object = {}) =>
  enable(probeManifest(id, { command: id, permissions: { commands: {}, storage } }), { settings: { command: id } });

export async function storageBehindHost(
  pluginIds: string[],
  plugins: Partial<HostConfig['plugins']> = {},
): Promise<StorageBehindHost> {
  const host = await startTestHost({ config: { plugins: { enabled: pluginIds.map((id) => storageManifest(id)) } } });
  await host.stopHostOnly();
  const db = await openDatabase(host.config.database);
  let now = Date.now();
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  const config: HostConfig = { ...host.config, plugins: { ...host.config.plugins, ...plugins } };
  const storage = new PluginStorage(db, config, createLogger({ level: 'silent' }), clock);
  return {
    host,
    db,
    storage,
    clock,
    totals: async (pluginId) => {
      const [row] = await rawRows<{ total: number | string; summed: number | string }>(
        db.knex,
        `select (select kv_bytes from plugins where id = ?) as total,
                (select coalesce(sum(bytes), 0) from plugin_kv where plugin_id = ?) as summed`,
        [pluginId, pluginId],
      );
      return { total: Number(row!.total), summed: Number(row!.summed) };
    },
    close: async () => {
      await storage.stopSweeping();
      await db.close();
      await host.stop();
    },
  };
}

/** The rows of a raw query, whichever the database (knex answers PostgreSQL's raw queries with a result object). */
export async function rawRows<T>(knex: Knex, sql: string, bindings: Knex.RawBinding[] = []): Promise<T[]> {
  const result: unknown = await knex.raw(sql, bindings);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

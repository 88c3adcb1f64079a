import type { Knex } from 'knex';
import type { Database } from '../db/open-database.js';

/**
 * The bytes each plugin's stored rows take (key plus JSON of every row, expired or not until
 * deleted): what its storage quota counts. A running total in the plugin's row of `plugins`
 * (kv_bytes, migration 0029), so the quota check and usage() read one number where summing every
 * row cost a write tens of milliseconds at 100,000 keys (on SQLite, the host's one thread). Every
 * change to plugin_kv moves the total in the same transaction, under the plugin's lock, which is
 * that same row: set, delete, each purge of expired keys, the purge of a plugin's data.
 */
export class PluginKvUsage {
  constructor(private readonly db: Database) {}

  /**
   * Takes the plugin's lock (its row in `plugins`, on PostgreSQL; SQLite has one writer anyway)
   * and reads its total, which stays as read until this transaction changes it.
   */
  async lock(trx: Knex.Transaction, pluginId: string): Promise<number> {
    const total = await this.lockIfInstalled(trx, pluginId);
    // Installing a plugin writes its row before it can run; without the row there is no total to keep.
    if (total === null) throw new Error(`Plugin ${pluginId} has no row in plugins to count its storage in.`);
    return total;
  }

  /** As lock, for a plugin that may never have been installed (no row): null then, and nothing is locked. */
  async lockIfInstalled(trx: Knex.Transaction, pluginId: string): Promise<number | null> {
    const q = trx('plugins').where({ id: pluginId }).first<{ kv_bytes: number | string } | undefined>('kv_bytes');
    if (this.db.kind === 'postgres') q.forUpdate();
    const row = await q;
    return row ? Number(row.kv_bytes) : null;
  }

  /** Moves the total by what this transaction added (or, negative, deleted); the caller holds the lock. */
  async add(trx: Knex.Transaction, pluginId: string, delta: number): Promise<void> {
    if (delta !== 0) await trx('plugins').where({ id: pluginId }).increment('kv_bytes', delta);
  }

  /**
   * Sets the total to the sum of the plugin's rows; the caller holds the lock. Once per host start
   * (its first sweep): hosts of an earlier version, during a rolling upgrade, change rows without
   * keeping the total, and this puts it right once they are gone.
   */
  async recount(trx: Knex.Transaction, pluginId: string): Promise<void> {
    await trx('plugins')
      .where({ id: pluginId })
      .update({
        kv_bytes: trx.raw('(select coalesce(sum(bytes), 0) from plugin_kv where plugin_id = ?)', [pluginId]),
      });
  }

  /** The total as last committed. */
  async read(pluginId: string): Promise<number> {
    const row = await this.db
      .knex('plugins')
      .where({ id: pluginId })
      .first<{ kv_bytes: number | string } | undefined>('kv_bytes');
    return Number(row?.kv_bytes ?? 0);
  }
}

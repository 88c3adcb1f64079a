import type { Database } from '../db/open-database.js';
import type { PluginDatabase } from './database/plugin-database.js';
import { PluginKvUsage } from './plugin-kv-usage.js';

/**
 * Deletes a plugin's data, in one transaction: its storage, jobs, applied migrations, webhook
 * secret and tables. Its identity (install record and bot user) stays.
 */
export async function purgePluginData(db: Database, database: PluginDatabase, pluginId: string): Promise<void> {
  const usage = new PluginKvUsage(db);
  await db.knex.transaction(async (trx) => {
    // The plugin's lock first, as its storage and jobs take it: a sweep in progress finishes its
    // batch (and its storage total) before the rows go, and neither waits on the other's rows.
    // A plugin configured but never installed has no row: nothing to lock, and no rows to delete.
    await usage.lockIfInstalled(trx, pluginId);
    for (const table of ['plugin_kv', 'plugin_jobs', 'plugin_migrations'])
      await trx(table).where({ plugin_id: pluginId }).delete();
    // Its storage total goes with its rows: the sum of none.
    await usage.recount(trx, pluginId);
    await trx('plugins').where({ id: pluginId }).update({ webhook_secret: null, updated_at: Date.now() });
    await database.dropAll(pluginId, trx);
  });
}

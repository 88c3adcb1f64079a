import type { Database } from '../db/open-database.js';
import type { PluginDatabase } from './database/plugin-database.js';

/**
 * Deletes a plugin's data, in one transaction: its storage, jobs, applied migrations, webhook
 * secret and tables. Its identity (install record and bot user) stays.
 */
export async function purgePluginData(db: Database, database: PluginDatabase, pluginId: string): Promise<void> {
  await db.knex.transaction(async (trx) => {
    // The plugin's lock first, as its storage and jobs take it: a sweep in progress finishes its
    // batch (and its storage total) before the rows go, and neither waits on the other's rows.
    if (db.kind === 'postgres') await trx('plugins').where({ id: pluginId }).forUpdate().select('id');
    for (const table of ['plugin_kv', 'plugin_jobs', 'plugin_migrations'])
      await trx(table).where({ plugin_id: pluginId }).delete();
    // Its storage total (plugin-kv-usage.ts) goes with its rows.
    await trx('plugins').where({ id: pluginId }).update({ webhook_secret: null, kv_bytes: 0, updated_at: Date.now() });
    await database.dropAll(pluginId, trx);
  });
}

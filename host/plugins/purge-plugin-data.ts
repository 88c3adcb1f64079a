import type { Database } from '../db/open-database.js';
import type { PluginDatabase } from './database/plugin-database.js';

/**
 * Deletes a plugin's data, in one transaction: its storage, jobs, applied migrations, webhook
 * secret and tables. Its identity (install record and bot user) stays.
 */
export async function purgePluginData(db: Database, database: PluginDatabase, pluginId: string): Promise<void> {
  await db.knex.transaction(async (trx) => {
    for (const table of ['plugin_kv', 'plugin_jobs', 'plugin_migrations'])
      await trx(table).where({ plugin_id: pluginId }).delete();
    await trx('plugins').where({ id: pluginId }).update({ webhook_secret: null, updated_at: Date.now() });
    await database.dropAll(pluginId, trx);
  });
}

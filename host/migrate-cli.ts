import { loadConfig } from './config/load-config.js';
import { openDatabase } from './db/open-database.js';
import { runMigrations } from './db/run-migrations.js';
import { rebuildSearchIndex } from './db/rebuild-search-index.js';
import { buildContainer } from './host.js';
import { createLogger } from './logging/logger.js';
import { ConversationWriter } from './conversations/conversation-writer.js';
import { PluginKernel } from './plugins/plugin-kernel.js';
import { SandboxHost } from './sandbox/sandbox-host.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';

/**
 * `npm run migrate`: applies the pending core migrations, then the pending migrations of every
 * enabled trusted plugin (its own tables), without starting any plugin or listening. Exits
 * non-zero if an enabled plugin could not be migrated. `--rebuild-search` also rebuilds the
 * search index from the messages.
 */
async function migrate(): Promise<number> {
  const config = loadConfig();
  // Only warnings and errors: stdout stays the short summary below.
  const log = createLogger({ ...config.log, level: 'warn' });
  const db = await openDatabase(config.database, { logger: log });
  try {
    const applied = await runMigrations(db.knex);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
    if (process.argv.includes('--rebuild-search')) {
      await rebuildSearchIndex(db);
      process.stdout.write('search index rebuilt\n');
    }
    if (config.plugins.enabled.length === 0) return 0;
    const services = buildContainer(config, db, log);
    try {
      const outcomes = await services.resolve(PluginKernel).migrateAll();
      let failed = 0;
      for (const o of outcomes) {
        if (o.status === 'failed') failed++;
        const what =
          o.status === 'failed'
            ? `FAILED ${o.error}`
            : o.status === 'skipped'
              ? 'sandboxed app, no migrations'
              : o.applied!.length
                ? `applied: ${o.applied!.join(', ')}`
                : 'up to date';
        process.stdout.write(`plugin ${o.id}: ${what}\n`);
      }
      if (failed > 0)
        process.stderr.write(`switchboard migrate: ${failed} plugin(s) could not be migrated (see above)\n`);
      return failed > 0 ? 1 : 0;
    } finally {
      // The outcome is already printed and the process exits next, which ends whatever failed to
      // close; a close error here would only replace that outcome with a less useful one.
      await services
        .resolve(SandboxHost)
        .close()
        .catch(() => {});
      // As above: the exit that follows ends the writer too.
      await services
        .resolve(ConversationWriter)
        .stop()
        .catch(() => {});
    }
  } finally {
    await db.close();
  }
}

migrate().then(
  (code) => process.exit(code),
  (err) => {
    const code = err instanceof SwitchboardError ? err.code : 'internal_error';
    process.stderr.write(`switchboard migrate failed [${code}]: ${(err as Error).message}\n`);
    for (const d of (err as SwitchboardError).details ?? []) process.stderr.write(`  ${d.path}: ${d.message}\n`);
    process.exit(1);
  },
);

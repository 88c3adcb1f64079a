import { loadConfig } from './config/load-config.js';
import { openDatabase } from './db/open-database.js';
import { runMigrations } from './db/run-migrations.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';

/** `npm run migrate`: apply pending migrations to the configured database and exit. */
async function migrate(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    const applied = await runMigrations(db.knex);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await db.close();
  }
}

migrate().catch((err) => {
  const code = err instanceof SwitchboardError ? err.code : 'internal_error';
  process.stderr.write(`switchboard migrate failed [${code}]: ${(err as Error).message}\n`);
  for (const d of (err as SwitchboardError).details ?? []) process.stderr.write(`  ${d.path}: ${d.message}\n`);
  process.exit(1);
});

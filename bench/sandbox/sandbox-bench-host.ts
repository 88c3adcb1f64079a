/**
 * The real hosts of `npm run bench -- sandbox` (phases 3 and 4): one per phase, in this process,
 * with a fresh database (SQLite, or a PostgreSQL schema when DATABASE_URL is set), and the
 * trusted driver plugin (bench/sandbox-fixtures/driver.ts) that calls the sandboxed apps' services.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginContext } from '../../sdk/plugin/plugin-context.js';
import { buildConfig, startHost } from '../../host/public-api.js';
import { createTestDatabase } from '../../test/support/test-database.js';

export const fixtures = fileURLToPath(new URL('../sandbox-fixtures/', import.meta.url));

const driverSlot = globalThis as { __sandboxBenchDriver?: PluginContext };
export const currentDriver = (): PluginContext | undefined => driverSlot.__sandboxBenchDriver;

/** A real host in this process for one phase, with a fresh database; `use` runs against it. */
export async function withBenchHost<T>(
  sandbox: Record<string, unknown>,
  manifests: string[],
  use: (host: Awaited<ReturnType<typeof startHost>>) => Promise<T>,
): Promise<T> {
  const database = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-sandbox-'));
  driverSlot.__sandboxBenchDriver = undefined;
  const host = await startHost(
    buildConfig({
      server: { host: '127.0.0.1', port: 0 },
      database: { url: database.url, schema: database.schema, poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10) },
      dataDir: dir,
      auth: { adminToken: `bench-${Date.now()}-admin-token-long-enough` },
      log: { level: 'warn' },
      sandbox,
      plugins: { enabled: manifests.map((m) => ({ path: `${fixtures}${m}` })) },
    }),
  );
  try {
    return await use(host);
  } finally {
    await host.stop();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Operator configuration, start-up and migrations, against real host processes started exactly like
 * `npm start` (node --no-node-snapshot --import tsx host/main.ts --config FILE).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import knexFactory from 'knex';
import { runScript, spawnHost, type ChildHost } from './support/child-host.js';
import { createTestDatabase, testDatabaseKind } from './support/test-database.js';
import { freePort, httpJson, isListening, repoRoot, writeConfig } from './support/e2e.js';
import { postgresConnection } from '../host/db/postgres-url.js';
import { spawnedCleanup } from './support/spawned-cleanup.js';

const ADMIN = `admin-${randomUUID()}`;
const UNREACHABLE_DB = 'postgres://postgres@127.0.0.1:1/x';

const { children, databases } = spawnedCleanup();

/** A complete, valid config on a fresh database; `extra` is merged section by section. */
async function validConfig(extra: Record<string, any> = {}): Promise<Record<string, any>> {
  const db = await createTestDatabase();
  databases.push(db);
  const base: Record<string, any> = {
    server: { host: '127.0.0.1', port: 0 },
    database: { url: db.url, schema: db.schema },
    auth: { adminToken: ADMIN },
    dataDir: mkdtempSync(join(tmpdir(), 'switchboard-data-')),
    log: { level: 'info' },
  };
  for (const [key, value] of Object.entries(extra)) {
    base[key] =
      typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...base[key], ...value } : value;
  }
  return base;
}

async function start(config: Record<string, any>, env: NodeJS.ProcessEnv = {}): Promise<ChildHost> {
  const child = await spawnHost({ config, env, timeoutMs: 45_000 });
  children.push(child);
  return child;
}

const runHost = (configPath: string, opts: Parameters<typeof runScript>[2] = {}) =>
  runScript('host/main.ts', ['--config', configPath], { timeoutMs: 60_000, ...opts });

const createUser = (url: string, token: string, handle = `u_${randomUUID().slice(0, 8)}`) =>
  httpJson(url, 'POST', '/v1/admin/users', { token, body: { handle, displayName: 'U', password: 'user-password' } });

describe('a bad configuration stops the host before it listens', () => {
  it.each([
    ['server.port is not a number', '/server/port', { server: { port: 'eighty' } }],
    ['an unknown top-level key', '/colour', { colour: 'blue' }],
    ['an unknown nested key', '/websocket/maxPayload', { websocket: { maxPayload: 10 } }],
    ['database.url is not sqlite or postgres', '/database/url', { database: { url: 'mysql://x' } }],
  ])('%s: exits non-zero naming %s', async (_name, path, bad) => {
    const port = await freePort();
    const config = await validConfig({ server: { port } });
    const file = writeConfig({ ...config, ...bad, server: { ...config.server, ...(bad as any).server } });
    const result = await runHost(file, { watchPort: port });
    expect(result.code, result.output).not.toBe(0);
    expect(result.code, result.output).not.toBeNull();
    expect(result.output).toContain(path);
    expect(result.output).not.toContain('"msg":"listening"');
    expect(result.listenedOn).toBe(false);
  });

  it('a config file that is not JSON: exits non-zero saying so', async () => {
    const file = writeConfig('{ "server": { "port": 8080 ');
    const result = await runHost(file);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain(file);
    expect(result.output).toMatch(/not valid JSON/i);
    expect(result.output).not.toContain('"msg":"listening"');
  });

  it('--config naming a missing file: exits non-zero naming the file', async () => {
    const file = join(tmpdir(), `missing-${randomUUID()}.json`);
    const result = await runHost(file);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain(file);
    expect(result.output).not.toContain('"msg":"listening"');
  });

  it('an unreachable database: exits non-zero with database_unreachable and never listens', async () => {
    const port = await freePort();
    const file = writeConfig(
      await validConfig({ server: { port }, database: { url: UNREACHABLE_DB, schema: 'public' } }),
    );
    const result = await runHost(file, { watchPort: port, timeoutMs: 90_000 });
    expect(result.code, result.output).not.toBe(0);
    expect(result.code, result.output).not.toBeNull();
    expect(result.output).toContain('database_unreachable');
    expect(result.listenedOn).toBe(false);
  }, 120_000);
});

describe('environment variables override the file', () => {
  it('PORT', async () => {
    const [filePort, envPort] = [await freePort(), await freePort()];
    const host = await start(await validConfig({ server: { port: filePort } }), { PORT: String(envPort) });
    expect(host.port).toBe(envPort);
    expect((await httpJson(host.url, 'GET', '/healthz')).status).toBe(200);
    expect(await isListening(filePort)).toBe(false);
  });

  it('DATABASE_URL (and SWITCHBOARD_DB_SCHEMA)', async () => {
    const db = await createTestDatabase();
    databases.push(db);
    const config = await validConfig({ database: { url: UNREACHABLE_DB, schema: 'public' } });
    const host = await start(config, { DATABASE_URL: db.url, SWITCHBOARD_DB_SCHEMA: db.schema });
    expect((await httpJson(host.url, 'GET', '/readyz')).status).toBe(200);
    expect((await createUser(host.url, ADMIN)).status).toBe(201);
    if (testDatabaseKind === 'sqlite') expect(existsSync(db.url.replace(/^sqlite:/, ''))).toBe(true);
  });

  it('SWITCHBOARD_ADMIN_TOKEN', async () => {
    const envToken = `env-admin-${randomUUID()}`;
    const host = await start(await validConfig(), { SWITCHBOARD_ADMIN_TOKEN: envToken });
    expect((await createUser(host.url, envToken)).status).toBe(201);
    expect((await createUser(host.url, ADMIN)).status).toBe(403);
  });
});

describe('start-up', () => {
  it('without auth.adminToken the host writes one to <dataDir>/admin-token, and it works', async () => {
    const config = await validConfig();
    delete config.auth.adminToken;
    const host = await start(config);
    const token = readFileSync(join(config.dataDir, 'admin-token'), 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(24);
    expect((await createUser(host.url, token)).status).toBe(201);
    expect((await createUser(host.url, `wrong-${randomUUID()}`)).status).toBe(403);
  });

  it.skipIf(testDatabaseKind !== 'sqlite')(
    'a second host on the same SQLite file refuses with database_locked; the first keeps serving',
    async () => {
      const config = await validConfig();
      const first = await start(config);
      const port = await freePort();
      const second = await runHost(
        writeConfig({ ...config, server: { host: '127.0.0.1', port }, dataDir: mkdtempSync(join(tmpdir(), 'sb-')) }),
        { watchPort: port },
      );
      expect(second.code, second.output).not.toBe(0);
      expect(second.code, second.output).not.toBeNull();
      expect(second.output).toContain('database_locked');
      expect(second.listenedOn).toBe(false);
      expect((await httpJson(first.url, 'GET', '/readyz')).status).toBe(200);
      expect((await createUser(first.url, ADMIN)).status).toBe(201);
    },
  );
});

describe('npm run migrate', () => {
  const migrate = (file: string) => runScript('host/migrate-cli.ts', ['--config', file], { timeoutMs: 60_000 });

  it('applies migrations, exits 0, and running it again changes nothing', async () => {
    const config = await validConfig();
    const file = writeConfig(config);
    const first = await migrate(file);
    expect(first.code, first.output).toBe(0);

    const host = await start(config);
    const handle = `keep_${randomUUID().slice(0, 8)}`;
    expect((await createUser(host.url, ADMIN, handle)).status).toBe(201);
    await host.kill('SIGTERM');

    const again = await migrate(file);
    expect(again.code, again.output).toBe(0);
    const restarted = await start(config);
    const login = await httpJson(restarted.url, 'POST', '/v1/auth/login', {
      body: { handle, password: 'user-password' },
    });
    expect(login.status).toBe(200);
  }, 120_000);

  it('a bad config makes migrate exit non-zero naming the field', async () => {
    const file = writeConfig({ ...(await validConfig()), database: { url: 'mysql://x' } });
    const result = await migrate(file);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain('/database/url');
  });
});

/** stderr of a failed start: exactly one line, `switchboard: cannot start [code]: …`, and no stack anywhere. */
function expectOneErrorLine(result: { code: number | null; stdout: string; stderr: string }, code: string): string {
  const all = `${result.stdout}\n${result.stderr}`;
  expect(result.code, all).not.toBe(0);
  expect(result.code, all).not.toBeNull();
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, all).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^switchboard: cannot start \\[${code}\\]: \\S`));
  expect(all).not.toMatch(/^\s+at /m);
  expect(all).not.toMatch(/Acquire connection error|Error: connect/);
  expect(all).not.toContain('"msg":"listening"');
  return lines[0]!;
}

describe('start-up errors are one clear line with a catalog code', () => {
  it('an unreachable PostgreSQL: database_unreachable, no knex stack', async () => {
    const file = writeConfig(await validConfig({ database: { url: UNREACHABLE_DB, schema: 'public' } }));
    const line = expectOneErrorLine(await runScript('host/main.ts', ['--config', file]), 'database_unreachable');
    expect(line).toContain('127.0.0.1:1');
  }, 120_000);

  it('a port already in use: listen_failed naming the address, no stack', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', () => res()));
    const { port } = blocker.address() as { port: number };
    try {
      const file = writeConfig(await validConfig({ server: { port } }));
      const line = expectOneErrorLine(await runScript('host/main.ts', ['--config', file]), 'listen_failed');
      expect(line).toContain(`127.0.0.1:${port}`);
      expect(line).toContain('EADDRINUSE');
    } finally {
      await new Promise((res) => blocker.close(res));
    }
  }, 120_000);
});

describe('npm run migrate applies the migrations of enabled plugins too', () => {
  /** The tables of the test database, and the applied plugin migrations, read straight from the database. */
  async function inspect(config: Record<string, any>) {
    const url: string = config.database.url;
    const db = url.startsWith('sqlite:')
      ? knexFactory({
          client: 'better-sqlite3',
          connection: { filename: url.slice('sqlite:'.length) },
          useNullAsDefault: true,
        })
      : knexFactory({
          client: 'pg',
          connection: postgresConnection(url),
          searchPath: [config.database.schema],
          pool: { min: 0, max: 1 },
        });
    try {
      const tables: string[] = url.startsWith('sqlite:')
        ? (await db.raw(`select name from sqlite_master where type = 'table' order by name`)).map((r: any) => r.name)
        : (
            await db.raw(
              'select table_name as name from information_schema.tables where table_schema = ? order by table_name',
              [config.database.schema],
            )
          ).rows.map((r: any) => r.name);
      const migrations = tables.includes('plugin_migrations')
        ? await db('plugin_migrations').select('plugin_id', 'name', 'applied_at').orderBy(['plugin_id', 'name'])
        : [];
      return { tables, migrations };
    } finally {
      await db.destroy();
    }
  }

  it('after migrate with payments enabled, the payments tables exist before any host starts; again changes nothing', async () => {
    const config = await validConfig({
      plugins: { manifestsDir: join(repoRoot, 'manifests'), enabled: [{ id: 'payments' }] },
    });
    const file = writeConfig(config);
    const first = await runScript('host/migrate-cli.ts', ['--config', file]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^plugin payments: applied: 001-ledger, /m);
    const after = await inspect(config);
    for (const table of [
      'p_payments__wallets',
      'p_payments__transactions',
      'p_payments__postings',
      'p_payments__transfers',
    ]) {
      expect(after.tables).toContain(table);
    }
    expect(after.migrations.filter((m: any) => m.plugin_id === 'payments').map((m: any) => m.name)).toContain(
      '001-ledger',
    );

    const again = await runScript('host/migrate-cli.ts', ['--config', file]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('database is up to date');
    expect(again.stdout).toMatch(/^plugin payments: up to date$/m);
    expect(await inspect(config)).toEqual(after);

    // A host started afterwards finds nothing left to apply and runs payments.
    const host = await start(config);
    expect(host.output()).not.toContain('plugin migration applied');
    const plugins = await httpJson(host.url, 'GET', '/v1/admin/plugins', { token: ADMIN });
    expect(plugins.body.plugins.find((p: any) => p.id === 'payments')?.status, JSON.stringify(plugins.body)).toBe(
      'running',
    );
  }, 180_000);

  it('a plugin that cannot be migrated makes migrate exit non-zero, naming it', async () => {
    const config = await validConfig({
      plugins: {
        manifestsDir: join(repoRoot, 'manifests'),
        enabled: [{ id: 'payments' }, { path: join(tmpdir(), `missing-${randomUUID()}.json`) }],
      },
    });
    const result = await runScript('host/migrate-cli.ts', ['--config', writeConfig(config)]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^plugin payments: applied: /m);
    expect(result.stdout).toMatch(/FAILED \[manifest_invalid\]/);
  }, 180_000);
});

describe('relative paths in a config file', () => {
  it("are relative to the config file's directory, not to the working directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-rel-'));
    const name = `data-${randomUUID().slice(0, 8)}`;
    const config = await validConfig({ dataDir: `./${name}` });
    delete config.auth.adminToken;
    if (testDatabaseKind === 'sqlite') config.database = { url: `sqlite:${name}/db/switchboard.db` };
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    const child = await spawnHost({ configFile: file, timeoutMs: 45_000 });
    children.push(child);
    try {
      expect(existsSync(join(dir, name, 'admin-token')), child.output()).toBe(true);
      if (testDatabaseKind === 'sqlite') expect(existsSync(join(dir, name, 'db', 'switchboard.db'))).toBe(true);
      expect(existsSync(join(repoRoot, name))).toBe(false);
      const token = readFileSync(join(dir, name, 'admin-token'), 'utf8').trim();
      expect((await createUser(child.url, token)).status).toBe(201);
    } finally {
      rmSync(join(repoRoot, name), { recursive: true, force: true });
    }
  });
});

/**
 * Operator configuration, start-up and migrations, against real host processes started exactly like
 * `npm start` (node --no-node-snapshot --import tsx host/main.ts --config FILE).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { spawnHost, type ChildHost } from './support/child-host.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from './support/test-database.js';
import { freePort, httpJson, isListening, runToExit, writeConfig } from './support/e2e.js';

const ADMIN = `admin-${randomUUID()}`;
const UNREACHABLE_DB = 'postgres://postgres@127.0.0.1:1/x';

const children: ChildHost[] = [];
const databases: TestDatabase[] = [];

afterEach(async () => { await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL'))); });
afterAll(async () => { await Promise.all(databases.map((d) => d.drop())); });

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
    base[key] = typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...base[key], ...value } : value;
  }
  return base;
}

async function start(config: Record<string, any>, env: NodeJS.ProcessEnv = {}): Promise<ChildHost> {
  const child = await spawnHost({ config, env, timeoutMs: 45_000 });
  children.push(child);
  return child;
}

const runHost = (configPath: string, opts: Parameters<typeof runToExit>[2] = {}) =>
  runToExit('host/main.ts', ['--config', configPath], opts);

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
    const file = writeConfig(await validConfig({ server: { port }, database: { url: UNREACHABLE_DB, schema: 'public' } }));
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
    expect([401, 403]).toContain((await createUser(host.url, ADMIN)).status);
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
    expect([401, 403]).toContain((await createUser(host.url, `wrong-${randomUUID()}`)).status);
  });

  it.skipIf(testDatabaseKind !== 'sqlite')('a second host on the same SQLite file refuses with database_locked; the first keeps serving', async () => {
    const config = await validConfig();
    const first = await start(config);
    const port = await freePort();
    const second = await runHost(writeConfig({ ...config, server: { host: '127.0.0.1', port }, dataDir: mkdtempSync(join(tmpdir(), 'sb-')) }), { watchPort: port });
    expect(second.code, second.output).not.toBe(0);
    expect(second.code, second.output).not.toBeNull();
    expect(second.output).toContain('database_locked');
    expect(second.listenedOn).toBe(false);
    expect((await httpJson(first.url, 'GET', '/readyz')).status).toBe(200);
    expect((await createUser(first.url, ADMIN)).status).toBe(201);
  });
});

describe('npm run migrate', () => {
  const migrate = (file: string) => runToExit('host/migrate-cli.ts', ['--config', file]);

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
    const login = await httpJson(restarted.url, 'POST', '/v1/auth/login', { body: { handle, password: 'user-password' } });
    expect(login.status).toBe(200);
  }, 120_000);

  it('a bad config makes migrate exit non-zero naming the field', async () => {
    const file = writeConfig({ ...(await validConfig()), database: { url: 'mysql://x' } });
    const result = await migrate(file);
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain('/database/url');
  });
});

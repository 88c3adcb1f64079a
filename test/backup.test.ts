/**
 * `npm run backup`: a consistent copy of the database while the host runs. SQLite is held by the
 * host with an exclusive lock (`sqlite3 .backup` fails with "database is locked"), so the running
 * host writes the copy (VACUUM INTO) when asked on its control socket; PostgreSQL uses pg_dump.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { expect, it } from 'vitest';
import { spawnHost } from './support/child-host.js';
import { httpJson, repoRoot, writeConfig } from './support/e2e.js';
import { createTestDatabase, testDatabaseKind } from './support/test-database.js';
import { spawnedCleanup } from './support/spawned-cleanup.js';

const ADMIN = `admin-${randomUUID()}`;
const { children, databases } = spawnedCleanup();

/**
 * `npm run …` under the usual umask (022), which would leave a file the process creates readable by
 * everyone: backups must be private whatever the umask lets through.
 */
function npmRun(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((res) => {
    const child = spawn('sh', ['-c', 'umask 022 && exec npm run --silent "$@"', 'sh', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATABASE_URL: '', SWITCHBOARD_CONFIG: '', SWITCHBOARD_DB_SCHEMA: '' },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('close', (code) => res({ code, output }));
  });
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

async function runningHost() {
  const db = await createTestDatabase();
  databases.push(db);
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    database: { url: db.url, schema: db.schema },
    dataDir: mkdtempSync(join(tmpdir(), 'switchboard-backup-')),
    auth: { adminToken: ADMIN },
  };
  const host = await spawnHost({ config, timeoutMs: 45_000 });
  children.push(host);
  const handle = `kept_${randomUUID().slice(0, 8)}`;
  expect(
    (
      await httpJson(host.url, 'POST', '/v1/admin/users', {
        token: ADMIN,
        body: { handle, displayName: 'Kept', password: 'kept-password' },
      })
    ).status,
  ).toBe(201);
  return { host, config, file: writeConfig(config), handle, db };
}

it.skipIf(testDatabaseKind !== 'sqlite')(
  'SQLite: npm run backup copies the database while the host runs, and the host keeps serving',
  async () => {
    const { host, config, file, handle, db } = await runningHost();
    const out = join(mkdtempSync(join(tmpdir(), 'switchboard-backup-out-')), 'copy.db');

    const result = await npmRun(['backup', '--', '--config', file, '--out', out]);
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`backup written: ${out}`);
    // A backup holds the host's secrets (file URL key, VAPID key, password hashes): its owner's only.
    expect(modeOf(out)).toBe(0o600);

    const copy = new BetterSqlite3(out, { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.prepare('select handle from users where handle = ?').get(handle)).toEqual({ handle });
    } finally {
      copy.close();
    }
    // The host was not disturbed: it still reads and writes.
    expect(
      (
        await httpJson(host.url, 'POST', '/v1/admin/users', {
          token: ADMIN,
          body: { handle: `after_${randomUUID().slice(0, 8)}`, displayName: 'After', password: 'after-password' },
        })
      ).status,
    ).toBe(201);
    // Without --out the copy goes to <dataDir>/backups/.
    const again = await npmRun(['backup', '--', '--config', file]);
    expect(again.code, again.output).toBe(0);
    const written = /backup written: (\S+)/.exec(again.output)?.[1];
    expect(written?.startsWith(join(config.dataDir, 'backups'))).toBe(true);
    expect(statSync(written!).size).toBeGreaterThan(0);
    expect(modeOf(written!)).toBe(0o600);
    expect(modeOf(join(config.dataDir, 'backups'))).toBe(0o700);
    // Another process cannot copy it while the host runs (the host holds an exclusive lock): that is
    // why the host writes the copy.
    const outside = new BetterSqlite3(db.url.slice('sqlite:'.length), { timeout: 0 });
    try {
      expect(() => outside.prepare('VACUUM INTO ?').run(join(tmpdir(), `never-${randomUUID()}.db`))).toThrow(/locked/);
    } finally {
      outside.close();
    }
  },
  120_000,
);

it.skipIf(testDatabaseKind !== 'sqlite')(
  'SQLite: with no host running, npm run backup copies the file itself',
  async () => {
    const { host, file, handle } = await runningHost();
    await host.kill('SIGTERM');
    const out = join(mkdtempSync(join(tmpdir(), 'switchboard-backup-out-')), 'offline.db');
    const result = await npmRun(['backup', '--', '--config', file, '--out', out]);
    expect(result.code, result.output).toBe(0);
    expect(modeOf(out)).toBe(0o600);
    const copy = new BetterSqlite3(out, { readonly: true });
    try {
      expect(copy.prepare('select handle from users where handle = ?').get(handle)).toEqual({ handle });
    } finally {
      copy.close();
    }
  },
  120_000,
);

it.skipIf(testDatabaseKind !== 'postgres')(
  'PostgreSQL: npm run backup runs pg_dump of the schema while the host runs',
  async () => {
    const { file, db } = await runningHost();
    const out = join(mkdtempSync(join(tmpdir(), 'switchboard-backup-out-')), 'pg.dump');
    // pg_dump overwrites --out, as it always did; the file it leaves is private all the same.
    writeFileSync(out, 'an older file, readable by everyone', { mode: 0o644 });
    const result = await npmRun(['backup', '--', '--config', file, '--out', out]);
    expect(result.code, result.output).toBe(0);
    expect(modeOf(out)).toBe(0o600);
    const listing = execFileSync('pg_restore', ['--list', out], { encoding: 'utf8' });
    expect(listing).toMatch(new RegExp(`TABLE ${db.schema} users `));
  },
  120_000,
);

it('a bad config makes backup exit non-zero with one line per bad field, as npm start does', async () => {
  const file = writeConfig({ server: { port: 'eighty' }, database: { url: 'sqlite:./never.db' } });
  const result = await npmRun(['backup', '--', '--config', file]);
  expect(result.code, result.output).toBe(1);
  expect(result.output).toContain('switchboard backup failed [config_invalid]');
  expect(result.output).toContain('\n  /server/port: must be integer');
});

/**
 * database.url as operators write it for PostgreSQL: the Unix-socket forms libpq takes (a host on
 * the database's machine saves the TCP stack on every statement), and no password in anything the
 * host prints about where its database is.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'pg-connection-string';
import { describe, expect, it } from 'vitest';
import { runScript, spawnHost } from './support/child-host.js';
import { httpJson, writeConfig } from './support/e2e.js';
import { createTestDatabase, testDatabaseKind, withDirect } from './support/test-database.js';
import { spawnedCleanup } from './support/spawned-cleanup.js';

const ADMIN = `admin-${randomUUID()}`;
const { children, databases } = spawnedCleanup();

function configOn(url: string, schema: string) {
  return {
    server: { host: '127.0.0.1', port: 0 },
    database: { url, schema },
    auth: { adminToken: ADMIN },
    dataDir: mkdtempSync(join(tmpdir(), 'switchboard-data-')),
    log: { level: 'info' },
  };
}

describe.skipIf(testDatabaseKind !== 'postgres')('a host reaches PostgreSQL through its Unix socket', () => {
  it.each([
    [
      'libpq form, host as a parameter',
      (user: string, dir: string, db: string) => `postgresql://${user}@/${db}?host=${dir}`,
    ],
    [
      'socket directory as the host name, encoded',
      (user: string, dir: string, db: string) => `postgres://${user}@${encodeURIComponent(dir)}/${db}`,
    ],
  ])(
    '%s: it starts, serves, and logs the socket it opened',
    async (_form, urlOf) => {
      const database = await createTestDatabase();
      databases.push(database);
      const dir = await withDirect(database, async (db) => {
        const { rows } = await db.raw<{ rows: { dirs: string }[] }>(
          "select current_setting('unix_socket_directories') as dirs",
        );
        return rows[0]!.dirs.split(',')[0]!.trim();
      });
      expect(dir, 'this PostgreSQL listens on no Unix socket').toMatch(/^\//);
      const tcp = parse(database.url);
      const url = urlOf(tcp.user ?? 'postgres', dir, tcp.database ?? 'postgres');

      const host = await spawnHost({ config: configOn(url, database.schema) as never, timeoutMs: 45_000 });
      children.push(host);
      expect((await httpJson(host.url, 'GET', '/readyz')).status).toBe(200);
      const created = await httpJson(host.url, 'POST', '/v1/admin/users', {
        token: ADMIN,
        body: { handle: `u_${randomUUID().slice(0, 8)}`, displayName: 'U', password: 'user-password' },
      });
      expect(created.status).toBe(201);
      // The user is in this test's schema, reached over the socket: the host wrote where it was told.
      const count = await withDirect(database, (db) => db('users').count<{ n: string }[]>({ n: '*' }));
      expect(Number(count[0]!.n)).toBe(1);
      expect(host.output()).toContain(`(socket ${dir})`);
    },
    120_000,
  );
});

describe('where the database is, as the host prints it', () => {
  it('names user, host, port and database of an unreachable URL, and neither of its passwords', async () => {
    const url = 'postgres://someone:s3cret-in-userinfo@127.0.0.1:1/nowhere?password=s3cret-in-query&sslmode=disable';
    const file = writeConfig(configOn(url, 'public'));
    const result = await runScript('host/main.ts', ['--config', file], { timeoutMs: 60_000 });
    expect(result.code, result.output).not.toBe(0);
    expect(result.output).toContain('database_unreachable');
    expect(result.output).toContain('postgres://someone@127.0.0.1:1/nowhere');
    expect(result.output).not.toContain('s3cret');
  }, 120_000);
});

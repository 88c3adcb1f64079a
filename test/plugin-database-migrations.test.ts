/**
 * Plugins' own tables across their lifecycle: migrations create and change them (and a plugin without
 * the database permission fails its first one), tables and data survive a restart, a failed migration's
 * tables are dropped so it runs again, uninstalling keeps the tables and purging drops them, and a
 * sandboxed manifest cannot ask for the database at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { enable, listPlugins } from './support/plugin-helpers.js';
import { tablesClient, tablesManifest } from './support/plugin-tables.js';

describe('plugin tables: migrations and lifecycle', () => {
  let database: TestDatabase;
  let host: TestHost;
  let user: TestUser;
  const boot = async (entries: ReturnType<typeof enable>[]) => {
    await host?.stopHostOnly();
    host = await startTestHost({ database, config: { plugins: { enabled: entries } } });
    user = await host.createUser();
  };
  const { query, value, owners } = tablesClient(() => ({ host, user }));

  beforeAll(async () => {
    database = await createTestDatabase();
    await boot([
      enable(tablesManifest('ledger')),
      enable(tablesManifest('other')),
      enable(tablesManifest('no-db', { 'http.routes': {} })),
      enable(tablesManifest('refused-db'), { grants: { database: false } }),
    ]);
    // A row for the restart and the uninstall to keep.
    await value(query('ledger', 'accounts', ['insert', { owner: 'alice' }]));
  });
  afterAll(async () => {
    await host?.stopHostOnly();
    await database?.drop();
  });

  it('runs the migrations that create and change the tables', async () => {
    const plugins = await listPlugins(host);
    expect(plugins.filter((p) => p.id !== 'no-db' && p.id !== 'refused-db').map((p) => [p.id, p.status])).toEqual([
      ['ledger', 'running'],
      ['other', 'running'],
    ]);
    // A plugin without the permission fails its first migration, by name, with the denial.
    for (const id of ['no-db', 'refused-db']) {
      const failed = plugins.find((p) => p.id === id)!;
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatchObject({
        code: 'plugin_start_failed',
        message: expect.stringMatching(/Migration 001-accounts of plugin .* failed: .*"database"/),
      });
    }
  });

  it('keeps tables and data across a restart without running a migration twice', async () => {
    const before = await owners();
    await boot([enable(tablesManifest('ledger'))]);
    expect((await listPlugins(host))[0]).toMatchObject({ id: 'ledger', status: 'running' });
    expect(await owners()).toEqual(before);
  });

  it('drops the tables a failed migration created, so it runs again at the next start', async () => {
    await boot([
      enable(tablesManifest('fragile'), { settings: { failMigration: true } }),
      enable(tablesManifest('ledger')),
    ]);
    const [fragile, ledger] = await listPlugins(host);
    expect(ledger).toMatchObject({ id: 'ledger', status: 'running' });
    expect(fragile).toMatchObject({ id: 'fragile', status: 'failed' });
    expect(fragile!.error!.message).toMatch(
      /Migration 003-scratch of plugin fragile failed: migration 003 gave up half way/,
    );
    await boot([enable(tablesManifest('fragile'))]);
    expect((await listPlugins(host))[0]).toMatchObject({ id: 'fragile', status: 'running' });
    expect(await value(query('fragile', 'scratch', ['insert', { k: 'a' }]))).toEqual([{ k: 'a' }]);
    const ddl = (await host.http('GET', '/v1/admin/audit?pluginId=fragile&limit=100', { token: 'admin' })).body.entries
      .filter((e: any) => e.action.endsWith('_table'))
      .map((e: any) => `${e.action} ${e.target}`)
      .reverse();
    expect(ddl).toEqual([
      'create_table accounts',
      'create_table entries',
      'alter_table entries',
      'create_table scratch',
      'drop_table scratch',
      'create_table scratch',
    ]);
  });

  it('keeps the tables when uninstalled, and drops them when purged', async () => {
    await boot([enable(tablesManifest('ledger'))]);
    const kept = await host.http('DELETE', '/v1/admin/plugins/ledger', { token: 'admin' });
    expect(kept.body).toMatchObject({ status: 'disabled', purged: false });
    expect((await host.http('POST', '/v1/admin/plugins/ledger/enable', { token: 'admin' })).body.status).toBe(
      'running',
    );
    expect(await owners()).toContain('alice');
    const purged = await host.http('DELETE', '/v1/admin/plugins/ledger?purge=true', { token: 'admin' });
    expect(purged.body).toMatchObject({ status: 'disabled', purged: true });
    expect((await host.http('POST', '/v1/admin/plugins/ledger/enable', { token: 'admin' })).body.status).toBe(
      'running',
    );
    expect(await owners()).toEqual([]);
  });

  it('refuses the database permission in a sandboxed manifest', async () => {
    await boot([enable(tablesManifest('boxed', { database: {} }, 'sandbox'))]);
    const [boxed] = await listPlugins(host);
    expect(boxed).toMatchObject({ id: 'boxed', status: 'failed', error: { code: 'manifest_invalid' } });
    expect(boxed!.error!.details).toContainEqual({
      path: '/permissions/database',
      message: expect.stringMatching(/trusted plugins only/),
    });
  });
});

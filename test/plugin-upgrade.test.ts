/**
 * Upgrades and uninstalls keep what they should: a new version's migrations run once and the
 * plugin's data and bot stay; uninstall keeps data unless purged, and a purged plugin starts
 * over with the same bot. Each step restarts a real host on the same database.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/plugins/upgrade/${name}`, import.meta.url));

describe('plugin upgrade and uninstall', () => {
  let database: TestDatabase;
  let host: TestHost | null = null;
  let user: TestUser;
  let roomId: string;
  let botId: string;

  const boot = async (manifest: string) => {
    await host?.stopHostOnly();
    host = await startTestHost({ database, config: { plugins: { enabled: [{ path: fixture(manifest) }] } } });
    const plugin = (await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins[0];
    expect(plugin).toMatchObject({ id: 'upgrader', status: 'running', error: null });
    return plugin;
  };
  const note = async () => {
    const res = await host!.http('POST', `/v1/conversations/${roomId}/commands`, {
      token: user.token,
      body: { text: '/note' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return JSON.parse(res.body.reply.text);
  };

  afterAll(async () => {
    await host?.stopHostOnly();
    await database?.drop();
  });

  it('installs version 1: creates the bot and runs its migration', async () => {
    database = await createTestDatabase();
    const plugin = await boot('manifest-v1.json');
    botId = plugin.botUserId;
    user = await host!.createUser();
    roomId = (await host!.createGroup(user, [], 'upgrade room')).id;
    expect(
      (
        await host!.http('POST', `/v1/conversations/${roomId}/members`, {
          token: user.token,
          body: { userIds: [botId] },
        })
      ).status,
    ).toBe(200);
    expect(await note()).toEqual({ version: '1.0.0', bot: botId, note: 'hello from v1', seedRuns: 1, upperRuns: 0 });
  });

  it('upgrades to version 2: keeps data and bot, runs only the new migration', async () => {
    const plugin = await boot('manifest-v2.json');
    expect(plugin).toMatchObject({ version: '1.1.0', botUserId: botId });
    expect(await note()).toEqual({ version: '1.1.0', bot: botId, note: 'HELLO FROM V1', seedRuns: 1, upperRuns: 1 });
  });

  it('runs no migration twice across restarts', async () => {
    await boot('manifest-v2.json');
    expect(await note()).toMatchObject({ seedRuns: 1, upperRuns: 1 });
  });

  it('uninstall keeps the data unless purged', async () => {
    const kept = await host!.http('DELETE', '/v1/admin/plugins/upgrader', { token: 'admin' });
    expect(kept.body).toMatchObject({ id: 'upgrader', status: 'disabled', purged: false });
    expect(
      (await host!.http('POST', `/v1/conversations/${roomId}/commands`, { token: user.token, body: { text: '/note' } }))
        .body.error.code,
    ).toBe('command_not_found');
    expect((await host!.http('POST', '/v1/admin/plugins/upgrader/enable', { token: 'admin' })).body.status).toBe(
      'running',
    );
    expect(await note()).toMatchObject({ note: 'HELLO FROM V1', seedRuns: 1, upperRuns: 1 });
  });

  it('a purged plugin starts over, with the same bot', async () => {
    const purged = await host!.http('DELETE', '/v1/admin/plugins/upgrader?purge=true', { token: 'admin' });
    expect(purged.body).toMatchObject({ status: 'disabled', purged: true });
    expect((await host!.http('POST', '/v1/admin/plugins/upgrader/enable', { token: 'admin' })).body).toMatchObject({
      status: 'running',
      botUserId: botId,
    });
    // Both migrations ran again on the empty store: one seed, one upper-casing.
    expect(await note()).toEqual({ version: '1.1.0', bot: botId, note: 'HELLO FROM V1', seedRuns: 1, upperRuns: 1 });
    // The audit log is operator data: the purge keeps the entries from before it. The note was
    // written by the v1 seed, the v2 upper-casing, and both migrations again after the purge.
    const audit = (await host!.http('GET', '/v1/admin/audit?pluginId=upgrader&limit=1000', { token: 'admin' })).body
      .entries;
    expect(audit.filter((e: any) => e.action === 'set' && e.target === 'notes/welcome')).toHaveLength(4);
  });

  it('answers plugin_not_found for an unknown plugin', async () => {
    const res = await host!.http('DELETE', '/v1/admin/plugins/nope', { token: 'admin' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('plugin_not_found');
  });
});

/**
 * Plugins across host restarts and shutdowns: a plugin keeps its bot user, memberships and storage;
 * a person's handle is never taken over; a plugin that misbehaves in stop() does not keep the host
 * from stopping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import {
  LIFECYCLE_ENTRY,
  botOf,
  enable,
  pluginStatus,
  probeManifest,
  prober,
  readRecords,
  recordFile,
  roomWith,
  valueOf,
} from './support/plugin-helpers.js';

describe('a host restart', () => {
  const hosts: TestHost[] = [];
  let database: TestDatabase;
  afterAll(async () => {
    for (const h of hosts) await h.stop();
    await database?.drop();
  });

  it("keeps each plugin's bot user, the bot's conversations and its storage", async () => {
    database = await createTestDatabase();
    const config = {
      plugins: { enabled: [enable(probeManifest('keeper', { permissions: { commands: {}, storage: {} } }))] },
    };
    const first = await startTestHost({ config, database });
    hosts.push(first);
    const user = await first.createUser();
    const room = await roomWith(first, user, ['keeper']);
    const bot = await botOf(first, 'keeper');
    expect(valueOf(await prober(first, user, room.id)('storage.set', 'kept', 42))).toEqual({ version: 1 });
    await first.stopHostOnly();

    const second = await startTestHost({ config, database });
    hosts.push(second);
    expect(await pluginStatus(second, 'keeper')).toMatchObject({ status: 'running', botUserId: bot });
    expect(valueOf(await prober(second, user, room.id)('storage.get', 'kept'))).toMatchObject({
      value: 42,
      version: 1,
    });
  });

  it("never turns a person into a plugin's bot: a taken handle fails the plugin", async () => {
    const db = await createTestDatabase();
    const before = await startTestHost({ database: db });
    hosts.push(before);
    const person = await before.createUser({ handle: 'squatter' });
    await before.stopHostOnly();
    const after = await startTestHost({
      database: db,
      config: { plugins: { enabled: [enable(probeManifest('squatter'))] } },
    });
    hosts.push(after);
    expect(await pluginStatus(after, 'squatter')).toMatchObject({
      status: 'failed',
      botUserId: null,
      error: { code: 'plugin_start_failed' },
    });
    expect((await after.http('GET', '/v1/me', { token: person.token })).body).toMatchObject({
      id: person.id,
      kind: 'person',
    });
    await after.stopHostOnly();
    await db.drop();
  });
});

describe.each(['throw', 'hang'] as const)('a plugin whose stop() does not return cleanly (%s)', (stopMode) => {
  let host: TestHost;
  const record = recordFile(`stop-${stopMode}`);
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            enable(probeManifest('unruly', { entry: LIFECYCLE_ENTRY }), { settings: { stopMode, recordFile: record } }),
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('is still disabled, and the host still stops', async () => {
    const res = await host.http('POST', '/v1/admin/plugins/unruly/disable', { token: 'admin' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('disabled');
    expect(readRecords(record).filter((r) => r.event === 'stop')).toHaveLength(1);
    expect((await host.http('POST', '/v1/admin/plugins/unruly/enable', { token: 'admin' })).body.status).toBe(
      'running',
    );
    await host.stop();
    expect(readRecords(record).filter((r) => r.event === 'stop')).toHaveLength(2);
  }, 30_000);
});

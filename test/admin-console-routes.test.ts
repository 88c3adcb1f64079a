/**
 * The admin routes the operator console needed beyond those it found: a plugin's settings (with
 * its secrets hidden), the audit log filtered by capability and action, and the businesses the
 * business plugin has registered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_MANIFEST, businessApi } from './support/business-helpers.js';
import { auditOf, prober, roomWith } from './support/plugin-helpers.js';
import { secretSettingsProbe } from './support/secret-settings-probe.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';

describe('admin routes of the operator console', () => {
  let host: TestHost;
  let user: TestUser;

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [{ path: BUSINESS_MANIFEST }, secretSettingsProbe('vault')],
        },
      },
    });
    user = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const admin = (path: string) => host.http('GET', `/v1/admin${path}`, { token: 'admin' });

  it("answers a plugin's settings in force, defaults filled in and secrets hidden", async () => {
    const res = await admin('/plugins/vault/settings');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.settings).toMatchObject({
      command: 'vault',
      greeting: 'hello',
      token: '[hidden]',
      provider: { apiKey: '[hidden]', region: 'eu' },
      mirrors: [{ url: 'https://a.example', password: '[hidden]' }],
    });
    expect(JSON.stringify(res.body)).not.toMatch(/secret/);
    // A plugin without a settings schema of its own still answers what it runs with.
    expect((await admin('/plugins/business/settings')).body.settings.webhooks).toMatchObject({ maxAttempts: 8 });

    expect((await admin('/plugins/nope/settings')).body.error.code).toBe('plugin_not_found');
    const asUser = await host.http('GET', '/v1/admin/plugins/vault/settings', { token: user.token });
    expect(asUser.status).toBe(403);
    expect(asUser.body.error.code).toBe('admin_required');
  });

  it('filters the audit log by capability and action, with the plugin and paging', async () => {
    const room = await roomWith(host, user, ['vault']);
    const call = prober(host, user, room.id, 'vault');
    await call('messages.send', room.id, { type: 'text', text: 'one' });
    await call('storage.set', 'k1', 1);
    await call('storage.set', 'k2', 2);
    await call('storage.delete', 'k1');
    const all = await auditOf(host, 'vault');
    expect(all.map((e) => e.action)).toEqual(['delete', 'set', 'set', 'send']);

    const actions = async (query: string) => {
      const res = await admin(`/audit?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return (res.body.entries as { pluginId: string; capability: string; action: string; target: string }[]).map(
        (e) => `${e.pluginId}:${e.capability}.${e.action}:${e.target}`,
      );
    };
    expect(await actions('capability=storage&pluginId=vault')).toEqual([
      'vault:storage.delete:k1',
      'vault:storage.set:k2',
      'vault:storage.set:k1',
    ]);
    expect(await actions('capability=storage&action=set')).toEqual(['vault:storage.set:k2', 'vault:storage.set:k1']);
    expect(await actions('action=send&pluginId=vault')).toEqual([`vault:messages.send:${room.id}`]);
    expect(await actions(`action=set&before=${all[1]!.id}`)).toEqual(['vault:storage.set:k1']);
    expect(await actions('capability=storage&action=send')).toEqual([]);
    // An empty filter filters nothing, as before filters were checked.
    expect(await actions('pluginId=vault&capability=')).toHaveLength(4);

    const repeated = await admin('/audit?action=set&action=send');
    expect(repeated.status).toBe(400);
    expect(repeated.body.error).toMatchObject({ code: 'invalid_request', details: [{ path: '/query/action' }] });
    const long = await admin(`/audit?capability=${'x'.repeat(65)}`);
    expect(long.body.error).toMatchObject({ code: 'invalid_request', details: [{ path: '/query/capability' }] });
  });

  it('lists the registered businesses, newest first, for the operator only', async () => {
    const api = businessApi(host);
    const owner = await host.createUser();
    const first = await api.createBusiness(owner, 'First Shop');
    const second = await api.createBusiness(owner, 'Second Shop');
    await api.call('admin', 'POST', `/admin/businesses/${first}/verified`, { verified: true });

    const res = await api.call('admin', 'GET', '/admin/businesses');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const listed = res.body.businesses as { id: string; name: string; verified: boolean; createdAt: string }[];
    expect(listed.filter((b) => b.id === first || b.id === second).map((b) => [b.name, b.verified])).toEqual([
      ['Second Shop', false],
      ['First Shop', true],
    ]);
    expect(Date.parse(listed.find((b) => b.id === first)!.createdAt)).toBeGreaterThan(0);
    expect(listed[0]).toHaveProperty('webhookUrl', null);

    expect((await api.call(owner, 'GET', '/admin/businesses')).body.error.code).toBe('admin_required');
  });
});

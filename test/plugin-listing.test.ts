/**
 * GET /v1/plugins: the ids of the plugins running on the host, for any signed-in user, so a client
 * offers a plugin's screens only where it runs. A plugin that failed to start is not there, one the
 * operator disables leaves the list and comes back when enabled again; without a token it is 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { enable, probeManifest } from './support/plugin-helpers.js';

describe('the plugins a host runs, for clients', () => {
  let host: TestHost;
  let user: TestUser;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            { id: 'echo-bot' },
            enable(probeManifest('listed-probe')),
            enable(probeManifest('broken-probe'), { settings: { failStart: 'does not start' } }),
          ],
        },
      },
    });
    user = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const listed = async () => {
    const res = await host.http('GET', '/v1/plugins', { token: user.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as { plugins: { id: string }[] };
  };

  it('lists the running plugins by id only, in start order; a failed one is left out', async () => {
    expect(await listed()).toEqual({ plugins: [{ id: 'echo-bot' }, { id: 'listed-probe' }] });
  });

  it('follows the operator disabling and enabling a plugin at run time', async () => {
    const off = await host.http('POST', '/v1/admin/plugins/echo-bot/disable', { token: 'admin' });
    expect(off.status).toBe(200);
    expect((await listed()).plugins.map((p) => p.id)).toEqual(['listed-probe']);
    const on = await host.http('POST', '/v1/admin/plugins/echo-bot/enable', { token: 'admin' });
    expect(on.status).toBe(200);
    expect((await listed()).plugins.map((p) => p.id).sort()).toEqual(['echo-bot', 'listed-probe']);
  });

  it('needs a signed-in user', async () => {
    const res = await host.http('GET', '/v1/plugins');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });
});

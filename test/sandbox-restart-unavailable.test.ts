/**
 * While the sandbox starts an app again after its isolate was cut off, what the app declared is
 * not gone: its commands and HTTP routes answer `unavailable` (503, worth a retry), not
 * `command_not_found` or `route_not_found`, until it has registered them again. The fixture app
 * waits on the test's gate at every start, so the test holds it halfway through its restart.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { enable, roomWith, runCommand } from './support/plugin-helpers.js';
import { appManifest, waitForApp } from './support/sandbox-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';

const RESTARTER_ENTRY = `${repoRoot}/test/fixtures/apps/restarter/index.ts`;

describe('an app halfway through its restart', () => {
  let host: TestHost;
  let user: TestUser;
  let roomId: string;
  let open = true;
  const held: ServerResponse[] = [];
  const gate = createServer((_req, res) => {
    if (open) res.end('go');
    else held.push(res);
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    const port = (gate.address() as AddressInfo).port;
    const manifest = appManifest('restarter', {
      entry: RESTARTER_ENTRY,
      permissions: { commands: {}, 'http.routes': {}, 'http.outbound': { hosts: [`127.0.0.1:${port}`] } },
      limits: { cpuMsPerEvent: 50 },
      settings: { type: 'object' },
    });
    (manifest.contributes as Record<string, unknown>).routes = [{ method: 'GET', path: '/status', auth: 'user' }];
    host = await startTestHost({
      config: {
        sandbox: { workers: 1, restart: { baseDelayMs: 10, maxDelayMs: 50, maxFailures: 5, windowMs: 60_000 } },
        plugins: { enabled: [enable(manifest, { settings: { gate: `http://127.0.0.1:${port}/gate` } })] },
      },
    });
    user = await host.createUser();
    roomId = (await roomWith(host, user, ['restarter'])).id;
    await waitForApp(host, 'restarter');
  });
  afterAll(async () => {
    await host?.stop();
    gate.closeAllConnections();
    await new Promise((resolve) => gate.close(resolve));
  });

  const status = () => host.http('GET', '/plugins/restarter/status', { token: user.token });

  it('answers its commands and routes with unavailable, then serves them again once it is back', async () => {
    expect((await runCommand(host, user, roomId, '/run hello')).body.reply).toEqual({ text: 'up' });
    expect((await status()).status).toBe(200);

    open = false;
    const crash = await runCommand(host, user, roomId, '/run crash');
    expect(crash.body.error).toMatchObject({ code: 'plugin_failed' });
    // The new isolate runs the app's start, which waits at the gate: nothing is registered yet.
    await eventually(() => held.length > 0, { what: 'the restarting app to reach the gate' });
    const command = await runCommand(host, user, roomId, '/run hello');
    expect(command.status).toBe(503);
    // The words its events get too (sdk/errors/app-restarting.ts): one error, whatever asked.
    const restarting = { code: 'unavailable', message: 'App restarter is restarting; retry shortly.' };
    expect(command.body.error).toMatchObject(restarting);
    const route = await status();
    expect(route.status).toBe(503);
    expect(route.body.error).toMatchObject(restarting);
    // What the app never declared is still not found.
    expect((await runCommand(host, user, roomId, '/nosuch')).body.error.code).toBe('command_not_found');
    expect((await host.http('GET', '/plugins/restarter/other', { token: user.token })).body.error.code).toBe(
      'route_not_found',
    );

    open = true;
    for (const res of held.splice(0)) res.end('go');
    await waitForApp(host, 'restarter');
    await eventually(async () => (await runCommand(host, user, roomId, '/run hello')).status === 200);
    expect((await runCommand(host, user, roomId, '/run hello')).body.reply).toEqual({ text: 'up' });
    expect((await status()).body).toEqual({ up: true });
  });
});

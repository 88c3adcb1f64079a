/**
 * Sandboxed apps follow the host's one rule for a plugin's throw (host/plugins/call-plugin.ts), in
 * both directions across the sandbox boundary. An app's own PluginError, or a user
 * SwitchboardError it throws, reaches the caller of its command, route or service with its code,
 * status and details, and is no failure of the app (its health counts none); a plain Error, or a
 * refusal whose details are past their bound, is plugin_failed and counted. A service's
 * PluginError reaches an app that called it as a PluginError of the app's own SDK copy.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { enable, pluginLogs, roomWith, runCommand, serviceCallerPlugin } from './support/plugin-helpers.js';
import { appHealth, appManifest, startSandboxHost } from './support/sandbox-helpers.js';
import { BOUNDARY_LIMITS } from '../sdk/app/boundary-limits.js';
import { errorFromWire, readRefusal, toWireError } from '../host/sandbox/wire-error.js';
import { PermissionDeniedError, SwitchboardError } from '../sdk/index.js';
import { HOST_REFUSAL, overHttp, PLUGIN_REFUSAL, refusalsPlugin } from './support/refusals-fixture.js';
import type { Outcome } from './fixtures/plugins/svc-caller/index.js';

const APP_ENTRY = join(repoRoot, 'test/fixtures/apps/refusals/index.ts');

function refusalsApp(): Record<string, unknown> {
  const m = appManifest('app-refusals', {
    entry: APP_ENTRY,
    permissions: { commands: {}, 'http.routes': {}, 'services.call': { services: ['refusals.refuse'] } },
  });
  m.contributes = {
    commands: [
      { name: 'refuse', description: 'Throws.', arguments: [{ name: 'how', required: true, type: 'string' }] },
      {
        name: 'svc',
        description: 'Calls refusals.refuse.',
        arguments: [{ name: 'how', required: true, type: 'string' }],
      },
    ],
    routes: [{ method: 'POST', path: '/refuse/:how', auth: 'user' }],
    services: [{ name: 'refuse', description: 'Throws.' }],
  };
  return m;
}

describe('the plugin call boundary, for a sandboxed app', () => {
  let host: TestHost;
  let user: TestUser;
  let room: any;

  beforeAll(async () => {
    ({ host, user } = await startSandboxHost(
      [enable(refusalsApp()), refusalsPlugin('sandbox refusals'), serviceCallerPlugin(['app-refusals.refuse'], 'call')],
      ['app-refusals'],
    ));
    room = await roomWith(host, user, ['app-refusals', 'refusals-caller']);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const failures = async () => {
    const health = await appHealth(host, 'app-refusals');
    return { error: health.failures.error ?? 0, failedEvents: health.failedEvents };
  };
  const callService = async (how: string) => {
    const res = await runCommand(host, user, room.id, `/call call ${JSON.stringify(['app-refusals.refuse', { how }])}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return JSON.parse(res.body.reply.text) as Outcome;
  };
  const postRoute = (how: string) =>
    host.http('POST', `/plugins/app-refusals/refuse/${how}`, { token: user.token, body: {} });

  it("an app's refusals reach the caller of its command, route and service, and count as no failure", async () => {
    const command = await runCommand(host, user, room.id, '/refuse plugin');
    expect(command.status, JSON.stringify(command.body)).toBe(409);
    expect(command.body).toEqual({ error: overHttp(PLUGIN_REFUSAL('command')) });
    const hostCommand = await runCommand(host, user, room.id, '/refuse host');
    expect(hostCommand.status).toBe(400);
    expect(hostCommand.body.error).toEqual(overHttp(HOST_REFUSAL('command')));

    const route = await postRoute('plugin');
    expect(route.status).toBe(409);
    expect(route.body).toEqual({ error: overHttp(PLUGIN_REFUSAL('route')) });
    const hostRoute = await postRoute('host');
    expect(hostRoute.status).toBe(400);
    expect(hostRoute.body.error).toEqual(overHttp(HOST_REFUSAL('route')));

    expect(await callService('plugin')).toMatchObject({
      ok: false,
      name: 'PluginError',
      status: 409,
      ...PLUGIN_REFUSAL('service'),
    });
    expect(await callService('host')).toMatchObject({ ok: false, status: 400, ...HOST_REFUSAL('service') });

    expect(await failures()).toEqual({ error: 0, failedEvents: 0 });
    expect((await pluginLogs(host, 'app-refusals')).filter((e) => e.level === 'error' || e.level === 'warn')).toEqual(
      [],
    );
  });

  it('a plain Error, or a refusal with details past their bound, is plugin_failed and counted against the app', async () => {
    const plain = await runCommand(host, user, room.id, '/refuse plain');
    expect(plain.status).toBe(502);
    expect(plain.body.error.code).toBe('plugin_failed');
    const route = await postRoute('plain');
    expect(route.status).toBe(502);
    expect(route.body.error.code).toBe('plugin_failed');
    expect(await callService('plain')).toMatchObject({ ok: false, code: 'plugin_failed' });
    const huge = await runCommand(host, user, room.id, '/refuse huge');
    expect(huge.status).toBe(502);
    expect(huge.body.error.code).toBe('plugin_failed');
    expect(await failures()).toEqual({ error: 4, failedEvents: 4 });
    const logs = await pluginLogs(host, 'app-refusals');
    expect(logs.some((e) => e.message.includes('the command exploded'))).toBe(true);
    expect(logs.some((e) => e.message.includes('its details cannot cross the sandbox boundary'))).toBe(true);
  });

  it("a service's refusal reaches the app that called it as a PluginError, with code, status and details", async () => {
    const svc = async (how: string) => {
      const res = await runCommand(host, user, room.id, `/svc ${how}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return JSON.parse(res.body.reply.text) as Record<string, unknown>;
    };
    expect(await svc('plugin')).toEqual({
      ok: false,
      pluginError: true,
      switchboardError: false,
      name: 'PluginError',
      status: 409,
      ...PLUGIN_REFUSAL('service'),
    });
    expect(await svc('host')).toEqual({
      ok: false,
      pluginError: false,
      switchboardError: true,
      name: 'SwitchboardError',
      status: 400,
      ...HOST_REFUSAL('service'),
    });
    expect(await svc('plain')).toMatchObject({
      ok: false,
      pluginError: false,
      switchboardError: true,
      code: 'plugin_failed',
      status: 502,
    });
  });
});

describe("the worker's and the host's check of an app's refusal", () => {
  const stock = { name: 'StockError', code: 'out_of_stock', message: 'Out of stock.', status: 409 };

  it('keeps a PluginError or a user SwitchboardError, copied, and nothing the app side added', () => {
    const details = { sku: 'a', left: 0 };
    const kept = readRefusal({ ...stock, details, reason: 'timeout', refusal: stock, extra: 1 });
    expect(kept).toEqual({ ...stock, details });
    expect(kept!.details).not.toBe(details);
    const list = [{ path: '/how', message: 'x' }];
    expect(readRefusal({ name: 'SwitchboardError', code: 'invalid_request', message: 'bad', details: list })).toEqual({
      name: 'SwitchboardError',
      code: 'invalid_request',
      message: 'bad',
      details: list,
    });
  });

  it("hides the host's paths from an app, but not the input paths its refusal names", () => {
    const refused = toWireError(
      new SwitchboardError('invalid_request', 'Invalid request: /content/text contains a lone UTF-16 surrogate', {
        details: [{ path: '/content/text', message: 'contains a lone UTF-16 surrogate' }],
      }),
    );
    expect(refused.message).toBe('Invalid request: /content/text contains a lone UTF-16 surrogate');
    const internal = toWireError(new SwitchboardError('plugin_start_failed', 'The entry /srv/apps/x/index.ts failed'));
    expect(internal.message).toBe('The entry <path> failed');
  });

  it("refuses anything else, which is then the app's failure", () => {
    for (const bad of [
      null,
      'out_of_stock',
      { ...stock, code: '' },
      { ...stock, code: 'x'.repeat(101) },
      { ...stock, message: 7 },
      { ...stock, status: 200 },
      { ...stock, status: 409.5 },
      { ...stock, details: [1] },
      { ...stock, details: JSON.parse('{"__proto__":{"polluted":true}}') as unknown },
      { ...stock, details: { pad: 'x'.repeat(BOUNDARY_LIMITS.errorDetailsChars) } },
      { name: 'Error', code: 'out_of_stock', message: 'not a catalog code without a status' },
      { name: 'SwitchboardError', code: 'plugin_failed', message: 'not a user error' },
      { name: 'PermissionDeniedError', code: 'permission_denied', message: 'the app lacks a permission' },
      { name: 'SwitchboardError', code: 'invalid_request', message: 'bad', details: { not: 'a list' } },
    ])
      expect(readRefusal(bad), JSON.stringify(bad)).toBeNull();
  });
});

describe('a permission refusal on its way to an app', () => {
  it('keeps the rule that refused it in details, as a trusted plugin sees it', () => {
    const scoped = new PermissionDeniedError('app', 'http.outbound', '"evil.test" matches no pattern in scope.hosts');
    const plain = new PermissionDeniedError('app', 'users.read');
    for (const refused of [scoped, plain]) {
      const seen = errorFromWire(toWireError(refused), 'app');
      expect(seen).toBeInstanceOf(PermissionDeniedError);
      expect(seen).toMatchObject({
        permission: refused.permission,
        message: refused.message,
        details: refused.details,
      });
    }
    expect(scoped.details![0]!.message).toBe('"evil.test" matches no pattern in scope.hosts');
  });
});

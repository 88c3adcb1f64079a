/**
 * Services between plugins: a provider offers what its manifest declares; a caller reaches it as
 * "<id>.<name>" only with services.call and the service in its (operator-narrowed) scope. Data is
 * copied both ways, the provider learns the caller from the host, and provider failures are the
 * provider's: logged against it, reported to the caller as plugin_failed, except deliberate refusals.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import {
  auditOf,
  enable,
  expectDenied,
  pluginLogs,
  pluginStatus,
  roomWith,
  runCommand,
} from './support/plugin-helpers.js';
import type { Outcome } from './fixtures/plugins/svc-caller/index.js';
import { PROVIDED } from './fixtures/plugins/svc-provider/index.js';

const PROVIDER_ENTRY = join(repoRoot, 'test/fixtures/plugins/svc-provider/index.ts');
const CALLER_ENTRY = join(repoRoot, 'test/fixtures/plugins/svc-caller/index.ts');
const SCOPE = ['add', 'mutate', 'keep', 'explode', 'refuse', 'fn']
  .map((n) => `svc-provider.${n}`)
  .concat('svc-absent.thing');

function manifest(
  id: string,
  entry: string,
  permissions: Record<string, object>,
  contributes: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id,
    name: `Services ${id}`,
    version: '1.0.0',
    description: 'A fixture of the services suite.',
    author: { name: 'Switchboard tests' },
    engine: '^1.0.0',
    runtime: 'trusted',
    entry,
    permissions,
    contributes,
  };
}

function callerManifest(id: string, command: string, permissions: Record<string, object>) {
  return manifest(
    id,
    CALLER_ENTRY,
    { commands: {}, ...permissions },
    {
      commands: [
        {
          name: command,
          description: 'Calls a service.',
          arguments: [
            { name: 'op', required: true, type: 'string' },
            { name: 'args', type: 'rest' },
          ],
        },
      ],
    },
  );
}

describe('plugin services', () => {
  let host: TestHost;
  let user: TestUser;
  let room: any;

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            enable(
              manifest(
                'svc-provider',
                PROVIDER_ENTRY,
                {},
                { services: PROVIDED.map((name) => ({ name, description: `The ${name} service.` })) },
              ),
            ),
            enable(callerManifest('svc-caller', 'svc', { 'services.call': { services: SCOPE } }), {
              settings: { command: 'svc' },
            }),
            enable(callerManifest('svc-narrowed', 'narrow', { 'services.call': { services: SCOPE } }), {
              settings: { command: 'narrow' },
              grants: { 'services.call': { services: ['svc-provider.add'] } },
            }),
            enable(callerManifest('svc-nocall', 'nocall', {}), { settings: { command: 'nocall' } }),
            enable(callerManifest('svc-refused', 'refused', { 'services.call': { services: SCOPE } }), {
              settings: { command: 'refused' },
              grants: { 'services.call': false },
            }),
          ],
        },
      },
    });
    user = await host.createUser();
    room = await roomWith(host, user, ['svc-caller', 'svc-narrowed', 'svc-nocall', 'svc-refused']);
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function run(command: string, op: string, ...args: unknown[]): Promise<Outcome> {
    const res = await runCommand(host, user, room.id, `/${command} ${op} ${JSON.stringify(args)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return JSON.parse(res.body.reply.text) as Outcome;
  }
  const call = (command: string, service: string, input: unknown) => run(command, 'call', service, input);
  const valueOf = (o: Outcome): any => {
    if (!o.ok) throw new Error(`expected success, got ${JSON.stringify(o)}`);
    return o.value;
  };

  it('a granted call reaches the provider and returns its output, typed for the caller', async () => {
    expect(valueOf(await call('svc', 'svc-provider.add', { a: 2, b: 40 })).output).toEqual({
      sum: 42,
      caller: 'svc-caller',
    });
    expect(valueOf(await run('svc', 'typed', 5, 6))).toEqual({ sum: 11, caller: 'svc-caller' });
  });

  it('tells the provider who calls from the host: each caller is itself', async () => {
    expect(valueOf(await call('narrow', 'svc-provider.add', { a: 1, b: 1 })).output.caller).toBe('svc-narrowed');
  });

  it("copies the input: the provider changing it does not change the caller's object", async () => {
    const value = valueOf(await call('svc', 'svc-provider.mutate', { name: 'mine', list: ['caller'] }));
    expect(value.output.received).toEqual({ name: 'changed by the provider', list: ['caller', 'provider'] });
    expect(value.inputAfter).toEqual({ name: 'mine', list: ['caller'] });
  });

  it("copies the output: the caller changing it does not change the provider's object", async () => {
    expect(valueOf(await run('svc', 'keep', 'svc-provider.keep'))).toEqual({ label: 'original', items: [1, 2, 3] });
  });

  it('refuses input that cannot be copied with invalid_request', async () => {
    expect(await run('svc', 'fn')).toMatchObject({ ok: false, code: 'invalid_request' });
  });

  it('denies a service that is not in scope.services', async () => {
    const outcome = await call('svc', 'svc-provider.hidden', { a: 1, b: 2 });
    expectDenied(outcome as any, 'services.call');
    expect(outcome.ok === false && outcome.message).toContain('"svc-provider.hidden" is not in scope.services');
  });

  it("applies the operator's narrowing of scope.services", async () => {
    expect(valueOf(await call('narrow', 'svc-provider.add', { a: 3, b: 4 })).output.sum).toBe(7);
    expectDenied((await call('narrow', 'svc-provider.mutate', { name: 'x', list: [] })) as any, 'services.call');
  });

  it('denies a plugin that did not request services.call', async () => {
    const outcome = await call('nocall', 'svc-provider.add', { a: 1, b: 2 });
    expectDenied(outcome as any, 'services.call');
    expect(outcome.ok === false && outcome.message).toContain('not requested in the manifest');
  });

  it('denies a plugin whose services.call the operator refused', async () => {
    const outcome = await call('refused', 'svc-provider.add', { a: 1, b: 2 });
    expectDenied(outcome as any, 'services.call');
    expect(outcome.ok === false && outcome.message).toContain('refused by the operator');
  });

  it('refuses to provide a service the manifest does not declare', async () => {
    const lines = (await pluginLogs(host, 'svc-provider')).filter(
      (e) => e.message === 'registration' && e.data.what === 'undeclared',
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]!.data).toMatchObject({ ok: false, code: 'invalid_operation' });
    expect(lines[0]!.data.message).toContain('contributes.services');
  });

  it('answers unavailable for a service in scope whose plugin is not configured', async () => {
    expect(await call('svc', 'svc-absent.thing', {})).toMatchObject({ ok: false, code: 'unavailable' });
  });

  it('a throwing provider gives the caller plugin_failed, is logged against the provider, and harms no one', async () => {
    expect(await call('svc', 'svc-provider.explode', {})).toMatchObject({ ok: false, code: 'plugin_failed' });
    const logs = await pluginLogs(host, 'svc-provider');
    expect(
      logs.some(
        (e) =>
          e.level === 'error' &&
          e.message.includes('service explode failed') &&
          e.message.includes('the provider exploded'),
      ),
    ).toBe(true);
    expect((await pluginLogs(host, 'svc-caller')).some((e) => e.level === 'error')).toBe(false);
    expect((await pluginStatus(host, 'svc-provider')).status).toBe('running');
    expect((await pluginStatus(host, 'svc-caller')).status).toBe('running');
    expect(valueOf(await call('svc', 'svc-provider.add', { a: 1, b: 1 })).output.sum).toBe(2);
  });

  it('passes a deliberate refusal of the provider (a user SwitchboardError) through unchanged', async () => {
    expect(await call('svc', 'svc-provider.refuse', {})).toMatchObject({
      ok: false,
      name: 'SwitchboardError',
      code: 'invalid_request',
      message: 'amount must be positive',
    });
  });

  it("a provider output that cannot be copied is the provider's failure", async () => {
    expect(await call('svc', 'svc-provider.fn', {})).toMatchObject({ ok: false, code: 'plugin_failed' });
  });

  it('audits each call on the caller', async () => {
    await call('svc', 'svc-provider.add', { a: 0, b: 0 });
    const entries = await auditOf(host, 'svc-caller');
    expect(
      entries.some((e) => e.capability === 'services' && e.action === 'call' && e.target === 'svc-provider.add'),
    ).toBe(true);
    expect((await auditOf(host, 'svc-provider')).some((e) => e.capability === 'services')).toBe(false);
  });

  it('answers unavailable while the provider is disabled, and works again once it is enabled', async () => {
    const disabled = await host.http('POST', '/v1/admin/plugins/svc-provider/disable', { token: 'admin' });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    expect(await call('svc', 'svc-provider.add', { a: 1, b: 2 })).toMatchObject({ ok: false, code: 'unavailable' });
    const enabled = await host.http('POST', '/v1/admin/plugins/svc-provider/enable', { token: 'admin' });
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    expect(valueOf(await call('svc', 'svc-provider.add', { a: 1, b: 2 })).output.sum).toBe(3);
  });
});

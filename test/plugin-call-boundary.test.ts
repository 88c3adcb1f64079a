/**
 * One rule for what a plugin's throw becomes, whichever way the host called it (host/plugins/
 * call-plugin.ts): the plugin's own PluginError reaches the caller with its code, status and
 * details; a host user error it met passes as it is; anything else is plugin_failed, logged
 * against the plugin. Checked for a command (HTTP and WebSocket), a tap, a route and a service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { pluginLogs, roomWith, runCommand, serviceCallerPlugin } from './support/plugin-helpers.js';
import { online, refusal } from './support/protocol-helpers.js';
import { HOST_REFUSAL, overHttp, PLUGIN_REFUSAL, refusalsPlugin } from './support/refusals-fixture.js';
import type { Outcome } from './fixtures/plugins/svc-caller/index.js';

describe('the plugin call boundary', () => {
  let host: TestHost;
  let user: TestUser;
  let room: any;

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [refusalsPlugin('call-boundary'), serviceCallerPlugin(['refusals.refuse'], 'svc')],
        },
      },
    });
    user = await host.createUser();
    room = await roomWith(host, user, ['refusals', 'refusals-caller']);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const logged = async (text: string) =>
    (await pluginLogs(host, 'refusals')).some((e) => e.level === 'error' && e.message.includes(text));

  it('a command: the plugin refusal and a host refusal reach the caller; a plain Error is plugin_failed and logged', async () => {
    const plugin = await runCommand(host, user, room.id, '/refuse plugin');
    expect(plugin.status).toBe(409);
    expect(plugin.body).toEqual({ error: overHttp(PLUGIN_REFUSAL('command')) });
    const hostError = await runCommand(host, user, room.id, '/refuse host');
    expect(hostError.status).toBe(400);
    expect(hostError.body.error).toEqual(overHttp(HOST_REFUSAL('command')));
    const plain = await runCommand(host, user, room.id, '/refuse plain');
    expect(plain.status).toBe(502);
    expect(plain.body.error.code).toBe('plugin_failed');
    expect(await logged('the command exploded')).toBe(true);
    expect(await logged('sku-command')).toBe(false);
  });

  it('a command over WebSocket: the error frame carries the plugin code and details', async () => {
    const client = await online(host, user);
    expect(await refusal(client.request({ type: 'command', conversationId: room.id, text: '/refuse plugin' }))).toEqual(
      PLUGIN_REFUSAL('command'),
    );
    expect(
      (await refusal(client.request({ type: 'command', conversationId: room.id, text: '/refuse plain' }))).code,
    ).toBe('plugin_failed');
    await client.close();
  });

  it('a tap: the same rule, over HTTP and WebSocket', async () => {
    expect((await runCommand(host, user, room.id, '/card')).status).toBe(200);
    const history = await host.http('GET', `/v1/conversations/${room.id}/messages?limit=50`, { token: user.token });
    const card = (history.body.messages as any[]).findLast((m) => m.content.type === 'interactive.card');
    const tap = (buttonId: string) =>
      host.http('POST', `/v1/conversations/${room.id}/postbacks`, {
        token: user.token,
        body: { messageId: card.id, buttonId },
      });
    const plugin = await tap('plugin');
    expect(plugin.status).toBe(409);
    expect(plugin.body).toEqual({ error: overHttp(PLUGIN_REFUSAL('postback')) });
    expect((await tap('host')).body.error).toEqual(overHttp(HOST_REFUSAL('postback')));
    const plain = await tap('plain');
    expect(plain.status).toBe(502);
    expect(plain.body.error.code).toBe('plugin_failed');
    expect(await logged('the postback exploded')).toBe(true);
    const client = await online(host, user);
    expect(
      await refusal(
        client.request({ type: 'postback', conversationId: room.id, messageId: card.id, buttonId: 'plugin' }),
      ),
    ).toEqual(PLUGIN_REFUSAL('postback'));
    await client.close();
  });

  it('a route: the plugin refusal answers its status and body, a host refusal its catalog status', async () => {
    const post = (how: string) => host.http('POST', `/plugins/refusals/refuse/${how}`, { token: user.token, body: {} });
    const plugin = await post('plugin');
    expect(plugin.status).toBe(409);
    expect(plugin.body).toEqual({ error: overHttp(PLUGIN_REFUSAL('route')) });
    const hostError = await post('host');
    expect(hostError.status).toBe(400);
    expect(hostError.body.error).toEqual(overHttp(HOST_REFUSAL('route')));
    const plain = await post('plain');
    expect(plain.status).toBe(502);
    expect(plain.body.error.code).toBe('plugin_failed');
    expect(await logged('the route exploded')).toBe(true);
  });

  it('a service: the calling plugin gets the refusal with its code, status and details', async () => {
    const call = async (how: string) => {
      const res = await runCommand(host, user, room.id, `/svc call ${JSON.stringify(['refusals.refuse', { how }])}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return JSON.parse(res.body.reply.text) as Outcome;
    };
    expect(await call('plugin')).toMatchObject({
      ok: false,
      name: 'PluginError',
      status: 409,
      ...PLUGIN_REFUSAL('service'),
    });
    expect(await call('host')).toMatchObject({ ok: false, status: 400, ...HOST_REFUSAL('service') });
    expect(await call('plain')).toMatchObject({ ok: false, code: 'plugin_failed' });
    expect(await logged('the service exploded')).toBe(true);
    expect(await logged('sku-service')).toBe(false);
  });
});

/**
 * Discovering slash commands: GET /v1/conversations/:id/commands lists exactly the commands that
 * `command` would run there for the caller, as their plugins declared them, with a usage line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { botOf, enable, probeManifest, roomWith, runCommand } from './support/plugin-helpers.js';

describe('command listing', () => {
  let host: TestHost;
  let user: TestUser;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            // alpha and beta both answer /twin: the lower plugin id, alpha, runs it.
            enable(probeManifest('alpha', { command: 'twin' }), { settings: { command: 'twin' } }),
            enable(probeManifest('beta', { command: 'twin', echo: true }), {
              settings: { command: 'twin', echoCommand: 'echo' },
            }),
            // Declares /echo but does not answer it (no echoCommand setting): not listed.
            enable(probeManifest('gamma', { command: 'gamma', echo: true }), { settings: { command: 'gamma' } }),
          ],
        },
      },
    });
    user = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const listed = async (conversationId: string, as: TestUser = user) => {
    const res = await host.http('GET', `/v1/conversations/${conversationId}/commands`, { token: as.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body.commands as any[];
  };

  const twin = {
    plugin: 'alpha',
    name: 'twin',
    description: 'Runs one capability call and replies with its outcome.',
    usage: '/twin <op> [args]',
    args: [
      { name: 'op', required: true, type: 'string' },
      { name: 'args', required: false, type: 'rest' },
    ],
  };

  it('lists the commands of the plugins whose bot is a member, by name, each from the plugin that runs it', async () => {
    const room = await roomWith(host, user, ['alpha', 'beta', 'gamma']);
    const commands = await listed(room.id);
    expect(commands).toEqual([
      {
        plugin: 'beta',
        name: 'echo',
        description: 'Replies with the invocation it received.',
        usage: '/echo <count> [word] [rest]',
        args: [
          { name: 'count', required: true, type: 'integer' },
          { name: 'word', required: false, type: 'string' },
          { name: 'rest', required: false, type: 'rest' },
        ],
      },
      { ...twin, plugin: 'gamma', name: 'gamma', usage: '/gamma <op> [args]' },
      twin,
    ]);
    // What is listed is what runs, and from the plugin listed.
    expect((await runCommand(host, user, room.id, '/twin self []')).body.plugin).toBe('alpha');
    expect((await runCommand(host, user, room.id, '/echo 3')).body.plugin).toBe('beta');
  });

  it('leaves out a command a plugin declares but does not answer', async () => {
    const room = await roomWith(host, user, ['gamma']);
    expect((await listed(room.id)).map((c) => `${c.plugin}:${c.name}`)).toEqual(['gamma:gamma']);
    expect((await runCommand(host, user, room.id, '/echo 3')).body.error.code).toBe('command_not_found');
  });

  it('lists nothing without a bot, and drops a bot’s commands when it leaves', async () => {
    const room = await roomWith(host, user, []);
    expect(await listed(room.id)).toEqual([]);
    const withBot = await roomWith(host, user, ['alpha']);
    expect((await listed(withBot.id)).map((c) => c.name)).toEqual(['twin']);
    const removed = await host.http('DELETE', `/v1/conversations/${withBot.id}/members/${await botOf(host, 'alpha')}`, {
      token: user.token,
    });
    expect(removed.status).toBe(204);
    expect(await listed(withBot.id)).toEqual([]);
  });

  it('answers a non-member 404 conversation_not_found, and no token 401', async () => {
    const room = await roomWith(host, user, ['alpha']);
    const outsider = await host.createUser();
    const res = await host.http('GET', `/v1/conversations/${room.id}/commands`, { token: outsider.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('conversation_not_found');
    const anonymous = await host.http('GET', `/v1/conversations/${room.id}/commands`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('unauthenticated');
  });

  it('follows the plugins that are enabled: a disabled plugin’s commands go, another’s take over', async () => {
    const room = await roomWith(host, user, ['alpha', 'beta']);
    expect((await listed(room.id)).find((c) => c.name === 'twin').plugin).toBe('alpha');
    const disabled = await host.http('POST', '/v1/admin/plugins/alpha/disable', { token: 'admin' });
    expect(disabled.status).toBe(200);
    expect((await listed(room.id)).map((c) => `${c.plugin}:${c.name}`)).toEqual(['beta:echo', 'beta:twin']);
    expect((await runCommand(host, user, room.id, '/twin self []')).body.plugin).toBe('beta');
  });
});

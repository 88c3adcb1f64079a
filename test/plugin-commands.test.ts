/**
 * Slash commands: users invoke a plugin's commands over WebSocket or HTTP in conversations its bot
 * belongs to; declared arguments are parsed; unknown commands and failing handlers get clear errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { online, refusal } from './support/protocol-helpers.js';
import { botOf, enable, probeManifest, roomWith, runCommand } from './support/plugin-helpers.js';
import { replyOf } from '../host/plugins/command-router.js';

describe('plugin commands', () => {
  let host: TestHost;
  let user: TestUser;
  let room: any;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            enable(probeManifest('echoer', { echo: true }), { settings: { echoCommand: 'echo' } }),
            enable(probeManifest('helper', { command: 'helper' }), { settings: { command: 'helper' } }),
            // Both answer /twin; the lower plugin id wins.
            enable(probeManifest('twin-b', { command: 'twin' }), { settings: { command: 'twin' } }),
            enable(probeManifest('twin-a', { command: 'twin' }), { settings: { command: 'twin' } }),
          ],
        },
      },
    });
    user = await host.createUser();
    room = await roomWith(host, user, ['echoer', 'helper', 'twin-b', 'twin-a']);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const echoed = (body: any) => JSON.parse(body.reply.text);

  it('answers over HTTP with the plugin id and a reply for the caller', async () => {
    const res = await runCommand(host, user, room.id, '/echo 42 hello big wide world');
    expect(res.status).toBe(200);
    expect(res.body.plugin).toBe('echoer');
    const invocation = echoed(res.body);
    expect(invocation).toMatchObject({
      command: 'echo',
      text: '42 hello big wide world',
      conversationId: room.id,
      userId: user.id,
    });
    expect(invocation.args).toEqual({ count: 42, word: 'hello', rest: 'big wide world' });
  });

  it('answers over WebSocket with the same data', async () => {
    const client = await online(host, user);
    const data = await client.request({ type: 'command', conversationId: room.id, text: '/echo 7 only' });
    expect(data.plugin).toBe('echoer');
    expect(echoed(data)).toMatchObject({ command: 'echo', args: { count: 7, word: 'only' }, userId: user.id });
  });

  it('answers reply null when the handler returns nothing', async () => {
    const res = await runCommand(host, user, room.id, '/helper quiet');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ plugin: 'helper', reply: null });
  });

  it('a command is not a message: nothing is stored or pushed', async () => {
    const before = await fullHistory(host.url, user.token, room.id);
    await runCommand(host, user, room.id, '/echo 1 quiet');
    expect(await fullHistory(host.url, user.token, room.id)).toEqual(before);
  });

  it('parses negative integers and leaves out missing optional arguments', async () => {
    const res = await runCommand(host, user, room.id, '/echo -3');
    expect(echoed(res.body).args).toEqual({ count: -3 });
  });

  it('when two plugins in the conversation answer the same command, the lower plugin id does', async () => {
    expect((await runCommand(host, user, room.id, '/twin self []')).body.plugin).toBe('twin-a');
  });

  it('refuses a missing required argument, or an integer that is not one, with invalid_request', async () => {
    expect((await runCommand(host, user, room.id, '/echo three')).body.error.code).toBe('invalid_request');
    const res = await runCommand(host, user, room.id, '/echo');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    const client = await online(host, user);
    expect((await refusal(client.request({ type: 'command', conversationId: room.id, text: '/echo' }))).code).toBe(
      'invalid_request',
    );
  });

  it('refuses malformed command requests with invalid_request', async () => {
    const post = (body: unknown) =>
      host.http('POST', `/v1/conversations/${room.id}/commands`, { token: user.token, body });
    for (const body of [
      {},
      { text: 42 },
      { text: '/echo 1', extra: true },
      { text: 'echo 1' },
      { text: `/echo 1 ${'x'.repeat(4000)}` },
    ]) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    const client = await online(host, user);
    expect(
      (await refusal(client.request({ type: 'command', conversationId: room.id, text: '/echo 1', extra: 1 }))).code,
    ).toBe('invalid_request');
  });

  it('answers command_not_found for a command nobody contributes', async () => {
    const res = await runCommand(host, user, room.id, '/nonexistent arg');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('command_not_found');
    const client = await online(host, user);
    expect(
      (await refusal(client.request({ type: 'command', conversationId: room.id, text: '/nonexistent' }))).code,
    ).toBe('command_not_found');
  });

  it('only plugins whose bot is in the conversation answer', async () => {
    const onlyHelper = await roomWith(host, user, ['helper']);
    const res = await runCommand(host, user, onlyHelper.id, '/echo 1');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('command_not_found');
    const helper = await runCommand(host, user, onlyHelper.id, '/helper self []');
    expect(helper.status).toBe(200);
    expect(helper.body.plugin).toBe('helper');
  });

  it('works in a direct conversation with the bot', async () => {
    const direct = await host.http('POST', '/v1/conversations/direct', {
      token: user.token,
      body: { userId: await botOf(host, 'helper') },
    });
    expect(direct.status).toBe(200);
    const res = await runCommand(host, user, direct.body.id, '/helper self []');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.reply.text).value.plugin.id).toBe('helper');
  });

  it('refuses commands in a conversation the caller does not belong to', async () => {
    const outsider = await host.createUser();
    const res = await runCommand(host, outsider, room.id, '/echo 1');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('conversation_not_found');
  });

  it('a handler that does not answer within its time budget gets plugin_timeout', async () => {
    const late = await runCommand(host, user, room.id, '/helper sleep [8000]');
    expect(late.status).toBe(504);
    expect(late.body.error.code).toBe('plugin_timeout');
    expect((await runCommand(host, user, room.id, '/helper quiet')).status).toBe(200);
  });

  it('a handler that throws gets plugin_failed; the next command works', async () => {
    const failed = await runCommand(host, user, room.id, '/probe throw []');
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('plugin_failed');
    expect((await runCommand(host, user, room.id, '/helper self []')).status).toBe(200);
    expect((await runCommand(host, user, room.id, '/echo 3')).status).toBe(200);
  });
});

describe("a command's reply as the caller gets it", () => {
  it('is its text, cut at 8,000 characters, in well-formed Unicode without NUL', () => {
    expect(replyOf({ text: 'plain' })).toEqual({ text: 'plain' });
    expect(replyOf(undefined)).toBeNull();
    // The rule every string a client sends keeps, so a client never gets what it could not send.
    expect(replyOf({ text: 'a\uD800b\u0000c\uDC00' })).toEqual({ text: 'a\uFFFDb\uFFFDc\uFFFD' });
    // A cut through a surrogate pair leaves no half of it.
    const cut = replyOf({ text: `${'x'.repeat(7999)}😀` })!.text;
    expect(cut).toHaveLength(8000);
    expect(cut.isWellFormed()).toBe(true);
  });
});

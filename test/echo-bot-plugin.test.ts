/**
 * The reference plugin, enabled by id from manifests/ exactly as an operator would: its
 * commands, its notes in storage, its message counter (events + compare-and-set) and its
 * banned-word hook.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import type { TestClient } from './support/test-client.js';
import { online, refusal } from './support/protocol-helpers.js';
import { eventually } from './support/eventually.js';

describe('the echo-bot reference plugin', () => {
  let host: TestHost;
  let ada: TestUser;
  let client: TestClient;
  let room: { id: string };

  beforeAll(async () => {
    host = await startTestHost({
      config: { plugins: { enabled: [{ id: 'echo-bot', settings: { bannedWords: ['spoiler'], echoPrefix: '> ' } }] } },
    });
    ada = await host.createUser();
    const plugins = (await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins;
    const echo = plugins.find((p: any) => p.id === 'echo-bot');
    expect(echo).toMatchObject({ status: 'running', refused: [], error: null });
    room = await host.createGroup(ada, []);
    expect(
      (
        await host.http('POST', `/v1/conversations/${room.id}/members`, {
          token: ada.token,
          body: { userIds: [echo.botUserId] },
        })
      ).status,
    ).toBe(200);
    client = await online(host, ada);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('echoes /echo text into the conversation as its bot, with the configured prefix', async () => {
    const answer = await client.request({ type: 'command', conversationId: room.id, text: '/echo hello there' });
    expect(answer).toEqual({ plugin: 'echo-bot', reply: null });
    const echoed = await client.next(
      (f) => f.type === 'message.created' && f.message.content?.text === '> hello there',
    );
    expect(echoed.message.senderId).not.toBe(ada.id);
  });

  it('remembers and recalls notes per conversation, answering only the caller', async () => {
    expect(
      await client.request({ type: 'command', conversationId: room.id, text: '/remember lunch noon at the square' }),
    ).toEqual({ plugin: 'echo-bot', reply: { text: 'Noted "lunch".' } });
    expect((await client.request({ type: 'command', conversationId: room.id, text: '/recall lunch' })).reply.text).toBe(
      'noon at the square',
    );
    expect((await client.request({ type: 'command', conversationId: room.id, text: '/recall' })).reply.text).toBe(
      'lunch: noon at the square',
    );
    const missing = await refusal(
      client.request({ type: 'command', conversationId: room.id, text: '/remember onlykey' }),
    );
    expect(missing.code).toBe('invalid_request');
  });

  it('counts the messages it sees, exactly, even when they arrive concurrently', async () => {
    const before = Number(
      /(\d+)/.exec((await client.request({ type: 'command', conversationId: room.id, text: '/stats' })).reply.text)![1],
    );
    await Promise.all(Array.from({ length: 8 }, (_, i) => client.sendText(room.id, `message ${i}`)));
    const stats = async () =>
      Number(
        /(\d+)/.exec(
          (await client.request({ type: 'command', conversationId: room.id, text: '/stats' })).reply.text,
        )![1],
      );
    const count = await eventually(
      async () => {
        const n = await stats();
        return n >= before + 8 && n;
      },
      { intervalMs: 50, what: 'the bot to count 8 more messages' },
    );
    expect(count).toBe(before + 8);
  });

  it('posts a reminder later through a scheduled job', async () => {
    const answer = await client.request({ type: 'command', conversationId: room.id, text: '/remind 1 stand up' });
    expect(answer.reply.text).toBe('I will remind you in 1 s.');
    const reminder = await client.next(
      (f) => f.type === 'message.created' && f.message.content?.text === 'Reminder: stand up',
      15_000,
    );
    expect(reminder.message.senderId).not.toBe(ada.id);
    expect(
      (await client.request({ type: 'command', conversationId: room.id, text: '/remind 0 too soon' })).reply.text,
    ).toContain('1 second');
  });

  it('refuses messages with a banned word and stores nothing', async () => {
    const refused = await refusal(client.sendText(room.id, 'big SPOILER ahead'));
    expect(refused.code).toBe('message_rejected');
    expect(refused.message).toContain('spoiler');
    const history = (await host.http('GET', `/v1/conversations/${room.id}/messages?limit=100`, { token: ada.token }))
      .body.messages;
    expect(history.some((m: any) => m.content?.text?.toLowerCase().includes('spoiler'))).toBe(false);
  });

  it('checks edits too, so a banned word cannot be edited in afterwards', async () => {
    const { message } = await client.sendText(room.id, 'an innocent message');
    const refused = await refusal(
      client.request({
        type: 'edit',
        conversationId: room.id,
        messageId: message.id,
        content: { type: 'text', text: 'now a spoiler' },
      }),
    );
    expect(refused.code).toBe('message_rejected');
    const history = (await host.http('GET', `/v1/conversations/${room.id}/messages?limit=100`, { token: ada.token }))
      .body.messages;
    expect(history.find((m: any) => m.id === message.id)).toMatchObject({
      content: { type: 'text', text: 'an innocent message' },
      editedAt: null,
    });
  });

  it('answers command_not_found for its commands where its bot is absent', async () => {
    const elsewhere = await host.createGroup(ada, [], 'no bot here');
    expect(
      (await refusal(client.request({ type: 'command', conversationId: elsewhere.id, text: '/echo hi' }))).code,
    ).toBe('command_not_found');
  });
});

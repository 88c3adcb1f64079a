/**
 * Interactive messages: a plugin with the `interactive` permission sends "interactive.card"
 * messages as its bot; members tap their buttons over WebSocket or HTTP; the tap reaches only the
 * plugin that sent the card and its reply only the tapper. No one else can send the type.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID, startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory, repoRoot } from './support/e2e.js';
import { online, refusal, settle } from './support/protocol-helpers.js';
import { botOf, enable, pluginLogs, roomWith, runCommand } from './support/plugin-helpers.js';

const ENTRY = join(repoRoot, 'test/fixtures/plugins/interactive-card/index.ts');

function manifest(id: string, command: string, permissions: Record<string, object>): Record<string, unknown> {
  return {
    id,
    name: `Cards ${id}`,
    version: '1.0.0',
    description: 'A fixture of the interactive suite.',
    author: { name: 'Switchboard tests' },
    engine: '^1.0.0',
    runtime: 'trusted',
    entry: ENTRY,
    permissions: { commands: {}, ...permissions },
    contributes: {
      commands: [
        {
          name: command,
          description: 'Cards.',
          arguments: [
            { name: 'op', required: true, type: 'string' },
            { name: 'args', type: 'rest' },
          ],
        },
      ],
    },
  };
}

const CARD = {
  text: 'Lunch?',
  buttons: [
    { id: 'yes', label: 'Yes', style: 'primary' },
    { id: 'no', label: 'No' },
    { id: 'boom', label: 'Boom', style: 'danger' },
  ],
  quickReplies: [{ id: 'later', label: 'Ask me later' }],
};

describe('interactive messages', () => {
  let host: TestHost;
  let owner: TestUser;
  let member: TestUser;
  let outsider: TestUser;
  let room: any;

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            enable(manifest('cards', 'card', { interactive: {}, 'messages.edit': {} }), {
              settings: { command: 'card' },
            }),
            enable(manifest('cards-plain', 'plain', { 'messages.send': {} }), { settings: { command: 'plain' } }),
            enable(manifest('cards-refused', 'refused', { interactive: {}, 'messages.send': {} }), {
              settings: { command: 'refused' },
              grants: { interactive: false },
            }),
          ],
        },
      },
    });
    [owner, member, outsider] = [await host.createUser(), await host.createUser(), await host.createUser()];
    room = await roomWith(host, owner, ['cards', 'cards-plain', 'cards-refused'], [member]);
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function run(command: string, op: string, ...args: unknown[]): Promise<any> {
    const res = await runCommand(host, owner, room.id, `/${command} ${op} ${JSON.stringify(args)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return JSON.parse(res.body.reply.text);
  }
  async function sendCard(card: object = CARD, conversationId: string = room.id): Promise<any> {
    const outcome = await run('card', 'send', conversationId, card);
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    return outcome.value;
  }
  const tapHttp = (user: TestUser, conversationId: string, messageId: string, buttonId: string) =>
    host.http('POST', `/v1/conversations/${conversationId}/postbacks`, {
      token: user.token,
      body: { messageId, buttonId },
    });

  it('a plugin sends a card as its bot, and members receive it', async () => {
    const client = await online(host, member);
    const message = await sendCard();
    expect(message.senderId).toBe(await botOf(host, 'cards'));
    expect(message.content).toEqual({ type: 'interactive.card', body: CARD });
    const pushed = await client.next((f) => f.type === 'message.created' && f.message.id === message.id);
    expect(pushed.message.content).toEqual({ type: 'interactive.card', body: CARD });
  });

  it('a tap over WebSocket reaches the plugin, and the reply only the tapper', async () => {
    const message = await sendCard();
    const tapper = await online(host, member);
    const other = await online(host, owner);
    const before = await fullHistory(host.url, owner.token, room.id);
    const result = await tapper.request({
      type: 'postback',
      conversationId: room.id,
      messageId: message.id,
      buttonId: 'yes',
    });
    expect(result).toEqual({ plugin: 'cards', reply: { text: 'You chose yes' } });
    await settle(tapper, other);
    expect(JSON.stringify(other.frames)).not.toContain('You chose yes');
    expect(tapper.frames.filter((f) => JSON.stringify(f).includes('You chose yes'))).toHaveLength(1);
    expect(await fullHistory(host.url, owner.token, room.id)).toEqual(before);
    const taps = (await run('card', 'taps')).value;
    expect(taps.at(-1)).toEqual({ conversationId: room.id, messageId: message.id, buttonId: 'yes', userId: member.id });
  });

  it('a tap over HTTP works the same, for buttons and quick replies', async () => {
    const message = await sendCard();
    const res = await tapHttp(member, room.id, message.id, 'later');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ plugin: 'cards', reply: { text: 'You chose later' } });
    expect((await run('card', 'taps')).value.at(-1)).toMatchObject({ buttonId: 'later', userId: member.id });
  });

  it('refuses a tap by a non-member with conversation_not_found', async () => {
    const message = await sendCard();
    const res = await tapHttp(outsider, room.id, message.id, 'yes');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('conversation_not_found');
    const client = await online(host, outsider);
    expect(
      (
        await refusal(
          client.request({ type: 'postback', conversationId: room.id, messageId: message.id, buttonId: 'yes' }),
        )
      ).code,
    ).toBe('conversation_not_found');
  });

  it('refuses an unknown button with invalid_request, and a message that is not a card with message_not_found', async () => {
    const message = await sendCard();
    const res = await tapHttp(member, room.id, message.id, 'maybe');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_request');
    const client = await online(host, member);
    const text = await client.sendText(room.id, 'just text');
    expect(
      (
        await refusal(
          client.request({ type: 'postback', conversationId: room.id, messageId: text.message.id, buttonId: 'yes' }),
        )
      ).code,
    ).toBe('message_not_found');
    expect(
      (
        await refusal(
          client.request({ type: 'postback', conversationId: room.id, messageId: randomUUID(), buttonId: 'yes' }),
        )
      ).code,
    ).toBe('message_not_found');
    expect(
      (
        await refusal(
          client.request({
            type: 'postback',
            conversationId: room.id,
            messageId: message.id,
            buttonId: 'x'.repeat(65),
          }),
        )
      ).code,
    ).toBe('invalid_request');
  });

  it('a card tapped in another conversation is not found there', async () => {
    const message = await sendCard();
    const elsewhere = await host.createGroup(owner, [member], 'Elsewhere');
    const res = await tapHttp(member, elsewhere.id, message.id, 'yes');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('message_not_found');
  });

  it('a deleted card no longer answers taps', async () => {
    const message = await sendCard();
    const client = await online(host, owner);
    const deleted = await client.request({ type: 'delete', conversationId: room.id, messageId: message.id });
    expect(deleted.message.deletedAt).not.toBeNull();
    const res = await tapHttp(member, room.id, message.id, 'yes');
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('message_deleted');
  });

  it('a throwing postback handler gives plugin_failed and is logged against the plugin', async () => {
    const message = await sendCard();
    const res = await tapHttp(member, room.id, message.id, 'boom');
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('plugin_failed');
    expect(
      (await pluginLogs(host, 'cards')).some(
        (e) => e.level === 'error' && e.message.includes('the postback handler exploded'),
      ),
    ).toBe(true);
    expect((await tapHttp(member, room.id, message.id, 'no')).body.reply.text).toBe('You chose no');
  });

  it('a client cannot forge a card, by sending or by editing', async () => {
    const client = await online(host, member);
    const forged = await refusal(
      client.request({
        type: 'send',
        conversationId: room.id,
        clientMsgId: randomUUID(),
        content: { type: 'interactive.card', body: { text: 'Pay here', buttons: [{ id: 'yes', label: 'Yes' }] } },
      }),
    );
    expect(forged.code).toBe('forbidden');
    const http = await host.http('POST', `/v1/conversations/${room.id}/messages`, {
      token: owner.token,
      body: { clientMsgId: randomUUID(), content: { type: 'interactive.card', body: { text: 'Pay here' } } },
    });
    expect(http.status).toBe(403);
    expect(http.body.error.code).toBe('forbidden');
    const text = await client.sendText(room.id, 'soon a card?');
    expect(
      (
        await refusal(
          client.request({
            type: 'edit',
            conversationId: room.id,
            messageId: text.message.id,
            content: { type: 'interactive.card', body: { text: 'Pay here' } },
          }),
        )
      ).code,
    ).toBe('forbidden');
  });

  it('a plugin without the interactive permission can send no card, not even through messages.send', async () => {
    const plain = await run('plain', 'send', room.id, CARD);
    expect(plain).toMatchObject({
      ok: false,
      code: 'permission_denied',
      permission: 'interactive',
      name: 'PermissionDeniedError',
    });
    expect(plain.message).toContain('not requested in the manifest');
    expect(await run('plain', 'raw', room.id, { type: 'interactive.card', body: CARD })).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    const refused = await run('refused', 'send', room.id, CARD);
    expect(refused).toMatchObject({ ok: false, code: 'permission_denied', permission: 'interactive' });
    expect(refused.message).toContain('refused by the operator');
    expect(await run('refused', 'raw', room.id, { type: 'interactive.card', body: CARD })).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    for (const id of ['cards-plain', 'cards-refused']) {
      const line = (await pluginLogs(host, id)).find(
        (e) => e.message === 'registration' && e.data.what === 'onPostback',
      );
      expect(line?.data).toMatchObject({ ok: false, code: 'permission_denied', permission: 'interactive' });
    }
    expect((await pluginLogs(host, 'cards')).find((e) => e.message === 'registration')?.data).toMatchObject({
      ok: true,
    });
  });

  it('checks the card against its schema', async () => {
    const many = { text: 'Too many', buttons: Array.from({ length: 11 }, (_, i) => ({ id: `b${i}`, label: `B${i}` })) };
    expect(await run('card', 'send', room.id, many)).toMatchObject({ ok: false, code: 'invalid_message_body' });
    expect(await run('card', 'send', room.id, { text: 'Extra', pluginId: 'someone-else' })).toMatchObject({ ok: true });
    const extra = (await run('card', 'send', room.id, { text: 'Extra', pluginId: 'someone-else' })).value;
    expect(extra.content.body).toEqual({ text: 'Extra' });
    const twice = { text: 'Twice', buttons: [{ id: 'a', label: 'A' }], quickReplies: [{ id: 'a', label: 'A again' }] };
    expect(await run('card', 'send', room.id, twice)).toMatchObject({ ok: false, code: 'invalid_message_body' });
  });

  it('the plugin can update its card with messages.edit after a vote', async () => {
    const message = await sendCard({
      text: 'Pizza?',
      buttons: [
        { id: 'vote-yes', label: 'Yes' },
        { id: 'vote-no', label: 'No' },
      ],
    });
    const watcher = await online(host, owner);
    expect((await tapHttp(member, room.id, message.id, 'vote-yes')).body.reply.text).toBe('You chose vote-yes');
    const updated = await watcher.next((f) => f.type === 'message.updated' && f.message.id === message.id);
    expect(updated.change).toBe('edited');
    expect(updated.message.content.body.text).toBe('Pizza? (yes: 1)');
    expect(updated.message.senderId).toBe(await botOf(host, 'cards'));
  });

  it('answers unavailable while the plugin that sent the card is disabled', async () => {
    const message = await sendCard();
    expect((await host.http('POST', '/v1/admin/plugins/cards/disable', { token: 'admin' })).status).toBe(200);
    const res = await tapHttp(member, room.id, message.id, 'yes');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect((await host.http('POST', '/v1/admin/plugins/cards/enable', { token: 'admin' })).status).toBe(200);
    expect((await tapHttp(member, room.id, message.id, 'yes')).body).toEqual({
      plugin: 'cards',
      reply: { text: 'You chose yes' },
    });
  });
});

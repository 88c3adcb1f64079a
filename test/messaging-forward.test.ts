/**
 * Forwarding a message (forwardOf on the send frame and the HTTP send): the host copies a message
 * its sender can read into another of their conversations, marked as forwarded, mentioning no one.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { refusal } from './support/protocol-helpers.js';
import type { TestClient } from './support/test-client.js';
import { eventually } from './support/eventually.js';
import { foundIds, uniqueWord } from './support/search-helpers.js';

describe('forwarding messages', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let direct: { id: string };
  let group: { id: string };

  beforeEach(async () => {
    host = await startTestHost();
    [ada, bob, carol] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    direct = await host.direct(ada, bob);
    group = await host.createGroup(ada, [carol]);
  });
  afterEach(() => host.stop());

  const forward = (c: TestClient, to: string, of: { id: string; conversationId: string }, clientMsgId = randomUUID()) =>
    c.request({
      type: 'send',
      conversationId: to,
      clientMsgId,
      forwardOf: { conversationId: of.conversationId, messageId: of.id },
    });

  it('copies the text into the target, live, on resume, and once for a resend', async () => {
    const bobs = await host.connect(bob.token);
    const original = (await bobs.sendText(direct.id, 'meet at noon')).message;
    const adas = await host.connect(ada.token);
    const carols = await host.connect(carol.token);
    const sameId = randomUUID();
    const sent = await forward(adas, group.id, original, sameId);
    expect(sent.duplicate).toBe(false);
    expect(sent.message).toMatchObject({
      conversationId: group.id,
      senderId: ada.id,
      clientMsgId: sameId,
      content: { type: 'text', text: 'meet at noon' },
      forwarded: { at: original.createdAt },
    });
    expect(sent.message.id).not.toBe(original.id);
    const live = await carols.next((f) => f.type === 'message.created' && f.conversationId === group.id);
    expect(live.message).toEqual(sent.message);

    const again = await forward(adas, group.id, original, sameId);
    expect(again).toMatchObject({ duplicate: true, message: { id: sent.message.id, seq: sent.message.seq } });
    // A resend after the source was deleted is still the stored forward, not a refusal.
    await bobs.request({ type: 'delete', conversationId: direct.id, messageId: original.id });
    expect((await forward(adas, group.id, original, sameId)).message.id).toBe(sent.message.id);

    const back = await host.connect(carol.token);
    await back.request({ type: 'resume', conversations: [{ conversationId: group.id, pts: 0 }] });
    const resumed = await back.next((f) => f.type === 'message.created' && f.message?.id === sent.message.id);
    expect(resumed.message.forwarded).toEqual({ at: original.createdAt });
    const history = await back.request({ type: 'history', conversationId: group.id });
    expect(history.messages.find((m: { id: string }) => m.id === sent.message.id).forwarded).toEqual({
      at: original.createdAt,
    });
  });

  it('keeps the first origin through a second forward, and refuses to edit a forward', async () => {
    const bobs = await host.connect(bob.token);
    const original = (await bobs.sendText(direct.id, 'chain')).message;
    const adas = await host.connect(ada.token);
    const first = (await forward(adas, group.id, original)).message;
    const carols = await host.connect(carol.token);
    const other = await host.createGroup(carol, [bob]);
    const second = (await forward(carols, other.id, first)).message;
    expect(second.forwarded).toEqual({ at: original.createdAt });
    const edit = await refusal(
      adas.request({
        type: 'edit',
        conversationId: group.id,
        messageId: first.id,
        content: { type: 'text', text: 'changed' },
      }),
    );
    expect(edit.code).toBe('invalid_operation');
  });

  it('drops the mentions of a forwarded text: no one in the target is mentioned', async () => {
    const bobs = await host.connect(bob.token);
    // Carol is a member of the target: as a send there, this text would mention her.
    await host.http('POST', `/v1/conversations/${group.id}/members`, { token: ada.token, body: { userIds: [bob.id] } });
    const original = (await bobs.sendText(group.id, `@${carol.handle} look`)).message;
    expect(original.entities).toHaveLength(1);
    const elsewhere = await host.createGroup(ada, [carol]);
    const adas = await host.connect(ada.token);
    const sent = (await forward(adas, elsewhere.id, original)).message;
    expect(sent.content.text).toBe(`@${carol.handle} look`);
    expect(sent.entities).toEqual([]);
    const list = await host.http('GET', '/v1/conversations', { token: carol.token });
    const target = list.body.conversations.find((c: { id: string }) => c.id === elsewhere.id);
    // Unread: the group's creation and the forward; mentioned: never.
    expect(target).toMatchObject({ unreadCount: 2, mentionCount: 0 });
  });

  it('refuses sources the sender cannot read, deleted ones, system messages, and strangers’ targets', async () => {
    const bobs = await host.connect(bob.token);
    const secret = (await bobs.sendText(direct.id, 'just us')).message;
    const carols = await host.connect(carol.token);
    // Carol is not in the direct chat: the message is as unknown to her as a made-up id.
    expect((await refusal(forward(carols, group.id, secret))).code).toBe('message_not_found');
    expect((await refusal(forward(carols, group.id, { ...secret, id: randomUUID() }))).code).toBe('message_not_found');
    const adas = await host.connect(ada.token);
    const gone = (await bobs.sendText(direct.id, 'oops')).message;
    await bobs.request({ type: 'delete', conversationId: direct.id, messageId: gone.id });
    expect((await refusal(forward(adas, group.id, gone))).code).toBe('message_deleted');
    // Adding Bob writes a system message into the group.
    await host.http('POST', `/v1/conversations/${group.id}/members`, { token: ada.token, body: { userIds: [bob.id] } });
    const history = await adas.request({ type: 'history', conversationId: group.id });
    const system = history.messages.find((m: { content: { type: string } }) => m.content.type.startsWith('system.'));
    expect((await refusal(forward(adas, direct.id, system))).code).toBe('invalid_operation');
    // Into a conversation Bob is not in: the usual answer of a send there.
    const carolsOwn = await host.createGroup(carol, []);
    expect((await refusal(forward(bobs, carolsOwn.id, secret))).code).toBe('conversation_not_found');
    // content and forwardOf together, or neither.
    const both = await refusal(
      adas.request({
        type: 'send',
        conversationId: group.id,
        clientMsgId: randomUUID(),
        content: { type: 'text', text: 'x' },
        forwardOf: { conversationId: direct.id, messageId: secret.id },
      }),
    );
    expect(both).toMatchObject({ code: 'invalid_request', details: [{ path: '/content' }] });
    const neither = await refusal(adas.request({ type: 'send', conversationId: group.id, clientMsgId: randomUUID() }));
    expect(neither).toMatchObject({ code: 'invalid_request', details: [{ path: '/content' }] });
  });

  it('forwards over HTTP too, and the copy is found by search in the target', async () => {
    const bobs = await host.connect(bob.token);
    const word = uniqueWord();
    const original = (await bobs.sendText(direct.id, `by http ${word}`)).message;
    const res = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: ada.token,
      body: { clientMsgId: randomUUID(), forwardOf: { conversationId: direct.id, messageId: original.id } },
    });
    expect(res.status).toBe(201);
    expect(res.body.message).toMatchObject({
      content: { text: `by http ${word}` },
      forwarded: { at: original.createdAt },
    });
    // Carol, who is not in the direct chat, finds the copy and only the copy.
    await eventually(async () => (await foundIds(host, carol, { q: word })).includes(res.body.message.id), {
      what: 'the forward in Carol’s search',
    });
    expect(await foundIds(host, carol, { q: word })).toEqual([res.body.message.id]);
    const hidden = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: carol.token,
      body: { clientMsgId: randomUUID(), forwardOf: { conversationId: direct.id, messageId: original.id } },
    });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.code).toBe('message_not_found');
  });
});

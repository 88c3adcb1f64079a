/**
 * Pinned messages: any member pins or unpins a message of their conversation (frames and HTTP);
 * each pin or unpin is a system message, so members learn of it live, on resume and in history.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PINS_PER_CONVERSATION } from '../sdk/protocol/pins.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { refusal } from './support/protocol-helpers.js';
import type { TestClient } from './support/test-client.js';

describe('pinned messages', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let group: { id: string };

  beforeEach(async () => {
    host = await startTestHost();
    [ada, bob, carol] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    group = await host.createGroup(ada, [bob]);
  });
  afterEach(() => host.stop());

  const pin = (c: TestClient, messageId: string, conversationId = group.id) =>
    c.request({ type: 'pin', conversationId, messageId });
  const unpin = (c: TestClient, messageId: string, conversationId = group.id) =>
    c.request({ type: 'unpin', conversationId, messageId });
  const pins = async (user: TestUser, conversationId = group.id) => {
    const res = await host.http('GET', `/v1/conversations/${conversationId}/pins`, { token: user.token });
    expect(res.status).toBe(200);
    return res.body.pins as { message: { id: string }; pinnedBy: string; pinnedAt: string }[];
  };
  const pinnedNotice = (f: { type: string; conversationId?: string; message?: any }, type: string, id: string) =>
    f.type === 'message.created' &&
    f.conversationId === group.id &&
    f.message.content.type === type &&
    f.message.content.body.messageId === id;

  it('a member pins a message: a system message reaches members live, on resume and in history; the list has it', async () => {
    const bobs = await host.connect(bob.token);
    const adas = await host.connect(ada.token);
    const original = (await adas.sendText(group.id, 'the plan')).message;
    const before = Date.now();
    // A plain member pins (Messenger's rule: anyone in the conversation).
    const answer = await pin(bobs, original.id);
    expect(answer.pin).toMatchObject({ message: { id: original.id }, pinnedBy: bob.id });
    const live = await adas.next((f) => pinnedNotice(f, 'system.message_pinned', original.id));
    expect(live.message.senderId).toBe(bob.id);

    const list = await pins(ada);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ message: { id: original.id, content: { text: 'the plan' } }, pinnedBy: bob.id });
    expect(Date.parse(list[0]!.pinnedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect((await adas.request({ type: 'pins', conversationId: group.id })).pins).toEqual(list);

    const back = await host.connect(ada.token);
    await back.request({ type: 'resume', conversations: [{ conversationId: group.id, pts: original.pts }] });
    await back.next((f) => pinnedNotice(f, 'system.message_pinned', original.id));
    const history = await back.request({ type: 'history', conversationId: group.id });
    expect(history.messages.at(-1)).toMatchObject({
      senderId: bob.id,
      content: { type: 'system.message_pinned', body: { messageId: original.id } },
    });
  });

  it('pinning again and unpinning what is not pinned change nothing; unpinning announces it; newest pin first', async () => {
    const adas = await host.connect(ada.token);
    const first = (await adas.sendText(group.id, 'one')).message;
    const second = (await adas.sendText(group.id, 'two')).message;
    await pin(adas, first.id);
    const again = await pin(adas, first.id);
    await pin(adas, second.id);
    expect((await pins(bob)).map((p) => p.message.id)).toEqual([second.id, first.id]);
    expect(again.pin.pinnedAt).toBe((await pins(bob))[1]!.pinnedAt);
    let history = await adas.request({ type: 'history', conversationId: group.id });
    const notices = (type: string) => history.messages.filter((m: any) => m.content.type === type).length;
    expect(notices('system.message_pinned')).toBe(2);

    const bobs = await host.connect(bob.token);
    expect(await unpin(bobs, first.id)).toEqual({});
    await adas.next((f) => pinnedNotice(f, 'system.message_unpinned', first.id));
    expect(await unpin(bobs, first.id)).toEqual({});
    const res = await host.http('DELETE', `/v1/conversations/${group.id}/pins/${first.id}`, { token: ada.token });
    expect(res.status).toBe(204);
    history = await adas.request({ type: 'history', conversationId: group.id });
    expect(notices('system.message_unpinned')).toBe(1);
    expect((await pins(ada)).map((p) => p.message.id)).toEqual([second.id]);
  });

  it('pins over HTTP; deleting a pinned message drops it from the list', async () => {
    const adas = await host.connect(ada.token);
    const original = (await adas.sendText(group.id, 'soon gone')).message;
    const put = await host.http('PUT', `/v1/conversations/${group.id}/pins/${original.id}`, { token: bob.token });
    expect(put.status).toBe(200);
    expect(put.body.pin).toMatchObject({ message: { id: original.id }, pinnedBy: bob.id });
    expect(await pins(ada)).toHaveLength(1);
    await adas.request({ type: 'delete', conversationId: group.id, messageId: original.id });
    expect(await pins(ada)).toEqual([]);
    expect((await refusal(pin(adas, original.id))).code).toBe('message_deleted');
  });

  it(`refuses the pin after ${MAX_PINS_PER_CONVERSATION}`, async () => {
    const adas = await host.connect(ada.token);
    const sent = await Promise.all(
      Array.from({ length: MAX_PINS_PER_CONVERSATION + 1 }, (_, i) => adas.sendText(group.id, `m${i}`)),
    );
    const ids = sent.map((s) => s.message.id as string);
    await Promise.all(ids.slice(0, MAX_PINS_PER_CONVERSATION).map((id) => pin(adas, id)));
    const over = await refusal(pin(adas, ids.at(-1)!));
    expect(over.code).toBe('pin_limit_reached');
    const http = await host.http('PUT', `/v1/conversations/${group.id}/pins/${ids.at(-1)}`, { token: ada.token });
    expect(http.status).toBe(409);
    expect(http.body.error.code).toBe('pin_limit_reached');
    // A pin already there is still answered; after an unpin there is room again.
    await pin(adas, ids[0]!);
    await unpin(adas, ids[0]!);
    await pin(adas, ids.at(-1)!);
    expect(await pins(ada)).toHaveLength(MAX_PINS_PER_CONVERSATION);
  });

  it('refuses non-members, unknown messages, system messages and thread replies', async () => {
    const adas = await host.connect(ada.token);
    const carols = await host.connect(carol.token);
    const original = (await adas.sendText(group.id, 'members only')).message;
    expect((await refusal(pin(carols, original.id))).code).toBe('conversation_not_found');
    expect((await refusal(unpin(carols, original.id))).code).toBe('conversation_not_found');
    expect((await refusal(carols.request({ type: 'pins', conversationId: group.id }))).code).toBe(
      'conversation_not_found',
    );
    const stranger = await host.http('GET', `/v1/conversations/${group.id}/pins`, { token: carol.token });
    expect(stranger.status).toBe(404);
    expect((await refusal(pin(adas, randomUUID()))).code).toBe('message_not_found');
    const history = await adas.request({ type: 'history', conversationId: group.id });
    const system = history.messages.find((m: any) => m.content.type.startsWith('system.'));
    expect((await refusal(pin(adas, system.id))).code).toBe('invalid_operation');
    const reply = await adas.request({
      type: 'send',
      conversationId: group.id,
      clientMsgId: randomUUID(),
      content: { type: 'text', text: 'in the thread' },
      threadRootId: original.id,
    });
    expect((await refusal(pin(adas, reply.message.id))).code).toBe('invalid_operation');
    expect(await pins(ada)).toEqual([]);
  });
});

/**
 * Authorization: someone outside a conversation can neither read it, nor write to it, nor learn
 * that it exists. Every refusal is indistinguishable from the one for an id that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { type TestClient } from './support/test-client.js';
import { refusal, settle, online } from './support/protocol-helpers.js';

/** An id of the same shape as a real one (same length and character classes) that names nothing. */
function lookalike(id: string): string {
  const tail = id
    .slice(-6)
    .replace(/[0-9]/g, () => String(Math.floor(Math.random() * 10)))
    .replace(/[a-f]/g, () => 'abcdef'[Math.floor(Math.random() * 6)]!)
    .replace(/[g-z]/g, () => 'ghijklmnopqrstuvwxyz'[Math.floor(Math.random() * 20)]!)
    .replace(/[A-Z]/g, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(Math.random() * 26)]!);
  const fake = id.slice(0, -6) + tail;
  return fake === id ? lookalike(id) : fake;
}

/** An HTTP answer's body without its request id, which differs on every request and tells nothing. */
function withoutRequestId(body: any): any {
  if (typeof body?.error?.requestId !== 'string') return body;
  const { requestId: _requestId, ...error } = body.error;
  return { ...body, error };
}

describe('authorization', () => {
  let host: TestHost;
  let owner: TestUser, member: TestUser, outsider: TestUser, former: TestUser;
  let group: any, direct: any, ownConversation: any, message: any, ownMessage: any;
  let co: TestClient, cm: TestClient, cx: TestClient, cf: TestClient;

  beforeAll(async () => {
    host = await startTestHost();
    [owner, member, outsider, former] = await Promise.all([
      host.createUser(),
      host.createUser(),
      host.createUser(),
      host.createUser(),
    ]);
    group = await host.createGroup(owner, [member, former], 'Private');
    direct = await host.direct(owner, member);
    ownConversation = await host.direct(outsider, await host.createUser());
    [co, cm, cx, cf] = await Promise.all([
      online(host, owner),
      online(host, member),
      online(host, outsider),
      online(host, former),
    ]);
    message = (await co.sendText(group.id, 'members only')).message;
    await co.sendText(direct.id, 'just us');
    ownMessage = (await cx.sendText(ownConversation.id, 'mine')).message;
    expect(
      (await host.http('DELETE', `/v1/conversations/${group.id}/members/${former.id}`, { token: owner.token })).status,
    ).toBe(204);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const wsRequests: Record<string, (conversationId: string) => Record<string, unknown>> = {
    history: (conversationId) => ({ type: 'history', conversationId }),
    send: (conversationId) => ({
      type: 'send',
      conversationId,
      clientMsgId: randomUUID(),
      content: { type: 'text', text: 'hi' },
    }),
    edit: (conversationId) => ({
      type: 'edit',
      conversationId,
      messageId: message.id,
      content: { type: 'text', text: 'mine now' },
    }),
    delete: (conversationId) => ({ type: 'delete', conversationId, messageId: message.id }),
    react: (conversationId) => ({ type: 'react', conversationId, messageId: message.id, emoji: '👀', op: 'add' }),
    read: (conversationId) => ({ type: 'read', conversationId, seq: 1 }),
  };

  it.each(Object.keys(wsRequests))(
    'refuses %s over WebSocket exactly as for a conversation that does not exist',
    async (name) => {
      const make = wsRequests[name]!;
      for (const [client, conversationId] of [
        [cx, group.id],
        [cx, direct.id],
        [cf, group.id],
      ] as const) {
        const real = await refusal(client.request(make(conversationId)));
        const fake = await refusal(client.request(make(lookalike(conversationId))));
        const random = await refusal(client.request(make(randomUUID())));
        expect(real.code).toBe('conversation_not_found');
        expect(real).toEqual(fake);
        expect(real).toEqual(random);
      }
    },
  );

  it('leaves the conversation untouched after all those refused writes', async () => {
    const res = await host.http('GET', `/v1/conversations/${group.id}/messages?limit=100`, { token: owner.token });
    const stored = res.body.messages.find((m: any) => m.id === message.id);
    expect(stored).toMatchObject({ content: { type: 'text', text: 'members only' }, reactions: [], deletedAt: null });
    expect(
      res.body.messages.every(
        (m: any) => (m.senderId !== outsider.id && m.senderId !== former.id) || m.content?.type?.startsWith('system.'),
      ),
    ).toBe(true);
    const members = await host.http('GET', `/v1/conversations/${group.id}/members`, { token: owner.token });
    expect(members.body.members.map((m: any) => m.userId).sort()).toEqual([owner.id, member.id].sort());
  });

  it('does not relay typing from a non-member, and answers it as for a conversation that does not exist', async () => {
    cx.sendRaw({ type: 'typing', conversationId: group.id, state: 'started' });
    await settle(cx);
    const realErrors = cx.frames.filter((f) => f.type === 'error' && f.replyTo === null).map((f) => f.error);
    cx.sendRaw({ type: 'typing', conversationId: lookalike(group.id), state: 'started' });
    await settle(cx, co, cm);
    const allErrors = cx.frames.filter((f) => f.type === 'error' && f.replyTo === null).map((f) => f.error);
    expect(allErrors).toEqual([...realErrors, ...realErrors]);
    expect([...co.ofType('typing'), ...cm.ofType('typing')].filter((f) => f.userId === outsider.id)).toEqual([]);
  });

  const httpRequests: Record<string, (id: string) => [string, string, unknown?]> = {
    'GET conversation': (id) => ['GET', `/v1/conversations/${id}`],
    'GET members': (id) => ['GET', `/v1/conversations/${id}/members`],
    'GET messages': (id) => ['GET', `/v1/conversations/${id}/messages`],
    'POST message': (id) => [
      'POST',
      `/v1/conversations/${id}/messages`,
      { clientMsgId: randomUUID(), content: { type: 'text', text: 'hi' } },
    ],
    'PATCH title': (id) => ['PATCH', `/v1/conversations/${id}`, { title: 'Taken over' }],
    'POST members': (id) => ['POST', `/v1/conversations/${id}/members`, { userIds: [outsider.id] }],
    'PATCH member role': (id) => ['PATCH', `/v1/conversations/${id}/members/${member.id}`, { role: 'admin' }],
    'DELETE member': (id) => ['DELETE', `/v1/conversations/${id}/members/${member.id}`],
    'POST leave': (id) => ['POST', `/v1/conversations/${id}/leave`],
  };

  it.each(Object.keys(httpRequests))(
    'answers %s over HTTP with the same 404 as for a conversation that does not exist',
    async (name) => {
      const call = async (user: TestUser, id: string) => {
        const [method, path, body] = httpRequests[name]!(id);
        const res = await host.http(method, path, { token: user.token, body });
        return { status: res.status, body: withoutRequestId(res.body) };
      };
      for (const [user, id] of [
        [outsider, group.id],
        [outsider, direct.id],
        [former, group.id],
      ] as const) {
        const real = await call(user, id);
        expect(real.status).toBe(404);
        expect(real.body.error.code).toBe('conversation_not_found');
        expect(await call(user, lookalike(id))).toEqual(real);
        expect(await call(user, randomUUID())).toEqual(real);
      }
    },
  );

  it('answers a message id from a conversation I am not in exactly like a message id that does not exist', async () => {
    const cases: Record<string, (messageId: string) => Record<string, unknown>> = {
      edit: (messageId) => ({
        type: 'edit',
        conversationId: ownConversation.id,
        messageId,
        content: { type: 'text', text: 'x' },
      }),
      delete: (messageId) => ({ type: 'delete', conversationId: ownConversation.id, messageId }),
      react: (messageId) => ({ type: 'react', conversationId: ownConversation.id, messageId, emoji: '👀', op: 'add' }),
      reply: (replyToId) => ({
        type: 'send',
        conversationId: ownConversation.id,
        clientMsgId: randomUUID(),
        content: { type: 'text', text: 'x' },
        replyToId,
      }),
    };
    for (const make of Object.values(cases)) {
      const real = await refusal(cx.request(make(message.id)));
      expect(real.code).toBe('message_not_found');
      expect(await refusal(cx.request(make(lookalike(message.id))))).toEqual(real);
      expect(await refusal(cx.request(make(randomUUID())))).toEqual(real);
    }
    const viaHttp = async (replyToId: string) => {
      const res = await host.http('POST', `/v1/conversations/${ownConversation.id}/messages`, {
        token: outsider.token,
        body: { clientMsgId: randomUUID(), content: { type: 'text', text: 'x' }, replyToId },
      });
      return { status: res.status, body: withoutRequestId(res.body) };
    };
    const real = await viaHttp(message.id);
    expect([real.status, real.body.error.code]).toEqual([404, 'message_not_found']);
    expect(await viaHttp(randomUUID())).toEqual(real);
    expect(
      (
        await host.http('GET', `/v1/conversations/${ownConversation.id}/messages`, { token: outsider.token })
      ).body.messages.map((m: any) => m.id),
    ).toContain(ownMessage.id);
  });

  it('does not let a message be changed through another conversation its sender belongs to', async () => {
    const misplaced = await refusal(
      co.request({
        type: 'edit',
        conversationId: direct.id,
        messageId: message.id,
        content: { type: 'text', text: 'x' },
      }),
    );
    expect(misplaced.code).toBe('message_not_found');
    expect((await refusal(co.request({ type: 'delete', conversationId: direct.id, messageId: message.id }))).code).toBe(
      'message_not_found',
    );
    const res = await host.http('GET', `/v1/conversations/${group.id}/messages?limit=100`, { token: owner.token });
    expect(res.body.messages.find((m: any) => m.id === message.id)).toMatchObject({
      content: { text: 'members only' },
      deletedAt: null,
    });
  });

  it("hides the conversation from a non-member's resume as not_found, like a made-up id", async () => {
    const { conversations } = await cx.request<{ conversations: any[] }>({
      type: 'resume',
      conversations: [
        { conversationId: group.id, pts: 0 },
        { conversationId: lookalike(group.id), pts: 0 },
      ],
    });
    expect(conversations.map(({ conversationId: _id, ...rest }) => rest)).toEqual([
      { status: 'not_found' },
      { status: 'not_found' },
    ]);
  });
});

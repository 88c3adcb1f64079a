/**
 * Messaging end to end: send/ack/push, structured content, replies, edits, deletes,
 * reactions, pts, typing, read receipts, presence, history paging and HTTP send.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { type Frame, type TestClient } from './support/test-client.js';
import { refusal, settle, online } from './support/protocol-helpers.js';

const cardType = {
  schema: {
    type: 'object',
    required: ['title'],
    properties: { title: { type: 'string' } },
    additionalProperties: false,
  },
};

const send = (c: TestClient, conversationId: string, content: object, extra: object = {}) =>
  c.request<{ message: any; duplicate: boolean }>({
    type: 'send',
    conversationId,
    clientMsgId: randomUUID(),
    content,
    ...extra,
  });
const op = (c: TestClient, type: string, conversationId: string, messageId: string, extra: object = {}) =>
  c.request<{ message: any }>({ type, conversationId, messageId, ...extra });
const updatesOf = (c: TestClient, messageId: string) =>
  c.frames.filter((f) => f.type === 'message.updated' && f.message.id === messageId);

describe('messaging', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ messageTypes: { 'test.card': cardType } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function pair() {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const [ca, cb] = await Promise.all([online(host, a), online(host, b)]);
    return { a, b, conv, ca, cb };
  }
  async function conversation(id: string, user: TestUser) {
    const res = await host.http('GET', `/v1/conversations/${id}`, { token: user.token });
    expect(res.status).toBe(200);
    return res.body;
  }
  async function historyOf(c: TestClient, conversationId: string) {
    return (await c.request<{ messages: any[] }>({ type: 'history', conversationId, limit: 100 })).messages;
  }

  it('acknowledges a send with the committed message and pushes that same message to every member connection', async () => {
    const { a, conv, ca, cb } = await pair();
    const ack = await ca.sendText(conv.id, 'hello');
    expect(ack.duplicate).toBe(false);
    expect(ack.message).toMatchObject({
      conversationId: conv.id,
      senderId: a.id,
      seq: conv.lastSeq + 1,
      pts: conv.lastPts + 1,
      content: { type: 'text', text: 'hello' },
      replyToId: null,
      reactions: [],
      editedAt: null,
      deletedAt: null,
    });
    const [pushed] = await cb.collect((f) => f.type === 'message.created' && f.message.id === ack.message.id, 1);
    expect(pushed).toMatchObject({ conversationId: conv.id, pts: ack.message.pts });
    expect(pushed!.message).toEqual(ack.message);
    const [own] = await ca.collect((f) => f.type === 'message.created' && f.message.id === ack.message.id, 1);
    expect(own!.message).toEqual(ack.message);
  });

  it('refuses a send from someone who is not a member and stores nothing', async () => {
    const { conv, ca } = await pair();
    const outsider = await host.createUser();
    const cx = await online(host, outsider);
    expect((await refusal(cx.sendText(conv.id, 'intruding'))).code).toBe('conversation_not_found');
    expect(await historyOf(ca, conv.id)).toHaveLength(conv.lastSeq);
  });

  it('accepts a registered structured type and refuses unknown types, bodies breaking the schema and system types', async () => {
    const { conv, ca, cb } = await pair();
    const card = await send(ca, conv.id, { type: 'test.card', body: { title: 'Quarterly report' } });
    expect(card.message.content).toEqual({ type: 'test.card', body: { title: 'Quarterly report' } });
    await cb.collect((f) => f.type === 'message.created' && f.message.id === card.message.id, 1);

    expect((await refusal(send(ca, conv.id, { type: 'test.unregistered', body: {} }))).code).toBe(
      'unknown_message_type',
    );
    for (const body of [{}, { title: 42 }, { title: 'ok', extra: true }]) {
      expect((await refusal(send(ca, conv.id, { type: 'test.card', body }))).code).toBe('invalid_message_body');
    }
    const system = await refusal(send(ca, conv.id, { type: 'system.title_changed', body: { title: 'forged' } }));
    expect(system.code).toBe('unknown_message_type');

    const stored = await historyOf(ca, conv.id);
    expect(stored).toHaveLength(conv.lastSeq + 1);
    expect(stored.at(-1)).toEqual(card.message);
  });

  it('lets a reply point only at a message of the same conversation', async () => {
    const { a, conv, ca, cb } = await pair();
    const original = await ca.sendText(conv.id, 'question?');
    const reply = await send(cb, conv.id, { type: 'text', text: 'answer' }, { replyToId: original.message.id });
    expect(reply.message.replyToId).toBe(original.message.id);

    const third = await host.createUser();
    const elsewhere = await host.direct(a, third);
    const foreign = await ca.sendText(elsewhere.id, 'in another conversation');
    expect(
      (await refusal(send(ca, conv.id, { type: 'text', text: 'x' }, { replyToId: foreign.message.id }))).code,
    ).toBe('message_not_found');
    expect((await refusal(send(ca, conv.id, { type: 'text', text: 'x' }, { replyToId: randomUUID() }))).code).toBe(
      'message_not_found',
    );
  });

  it('lets only the sender edit, and pushes the edit as message.updated with change "edited"', async () => {
    const { conv, ca, cb } = await pair();
    const { message } = await ca.sendText(conv.id, 'frist');
    expect(
      (await refusal(op(cb, 'edit', conv.id, message.id, { content: { type: 'text', text: 'hijacked' } }))).code,
    ).toBe('forbidden');

    const edited = (await op(ca, 'edit', conv.id, message.id, { content: { type: 'text', text: 'first' } })).message;
    expect(edited).toMatchObject({
      id: message.id,
      seq: message.seq,
      pts: message.pts + 1,
      content: { type: 'text', text: 'first' },
    });
    expect(typeof edited.editedAt).toBe('string');
    const [update] = await cb.collect((f) => f.type === 'message.updated' && f.message.id === message.id, 1);
    expect(update).toMatchObject({ conversationId: conv.id, pts: edited.pts, change: 'edited' });
    expect(update!.message).toEqual(edited);

    await refusal(op(ca, 'edit', conv.id, message.id, { content: { type: 'test.card', body: { title: 'not text' } } }));
    expect((await historyOf(ca, conv.id)).find((m) => m.id === message.id).content).toEqual({
      type: 'text',
      text: 'first',
    });
  });

  it('turns a deleted message into a tombstone that keeps its seq and can no longer be edited', async () => {
    const { conv, ca, cb } = await pair();
    const { message } = await ca.sendText(conv.id, 'oops');
    await op(cb, 'react', conv.id, message.id, { emoji: '👀', op: 'add' });
    const tomb = (await op(ca, 'delete', conv.id, message.id)).message;
    expect(tomb).toMatchObject({
      id: message.id,
      seq: message.seq,
      pts: message.pts + 2,
      content: null,
      reactions: [],
    });
    expect(typeof tomb.deletedAt).toBe('string');
    const [update] = await cb.collect((f) => f.type === 'message.updated' && f.change === 'deleted', 1);
    expect(update!.message).toEqual(tomb);
    expect((await historyOf(cb, conv.id)).find((m) => m.seq === message.seq)).toEqual(tomb);

    expect((await refusal(op(ca, 'edit', conv.id, message.id, { content: { type: 'text', text: 'undo' } }))).code).toBe(
      'message_deleted',
    );
    expect((await op(ca, 'delete', conv.id, message.id)).message).toEqual(tomb);
  });

  it("lets a group owner or admin delete anyone's message, but not a plain member or the other side of a direct chat", async () => {
    const [owner, admin, m1, m2] = await Promise.all([
      host.createUser(),
      host.createUser(),
      host.createUser(),
      host.createUser(),
    ]);
    const group = await host.createGroup(owner, [admin, m1, m2]);
    const promoted = await host.http('PATCH', `/v1/conversations/${group.id}/members/${admin.id}`, {
      token: owner.token,
      body: { role: 'admin' },
    });
    expect(promoted.status).toBe(200);
    const [co, ca, c1, c2] = await Promise.all([
      online(host, owner),
      online(host, admin),
      online(host, m1),
      online(host, m2),
    ]);
    const x = (await c1.sendText(group.id, 'x')).message;
    const y = (await c1.sendText(group.id, 'y')).message;

    expect((await refusal(op(c2, 'delete', group.id, x.id))).code).toBe('forbidden');
    expect((await op(ca, 'delete', group.id, x.id)).message.content).toBeNull();
    expect((await op(co, 'delete', group.id, y.id)).message.content).toBeNull();
    const own = (await c2.sendText(group.id, 'my own')).message;
    expect((await op(c2, 'delete', group.id, own.id)).message.content).toBeNull();

    const direct = await pair();
    const theirs = (await direct.cb.sendText(direct.conv.id, 'mine')).message;
    expect((await refusal(op(direct.ca, 'delete', direct.conv.id, theirs.id))).code).toBe('forbidden');
  });

  it('adds and removes reactions in reaction order; repeating an add or remove changes nothing', async () => {
    const { a, b, conv, ca, cb } = await pair();
    const { message } = await ca.sendText(conv.id, 'react to me');
    const react = (c: TestClient, o: 'add' | 'remove') =>
      op(c, 'react', conv.id, message.id, { emoji: '👍', op: o }).then((r) => r.message);

    const first = await react(cb, 'add');
    expect(first).toMatchObject({ pts: message.pts + 1, reactions: [{ emoji: '👍', userIds: [b.id] }] });
    const second = await react(ca, 'add');
    expect(second).toMatchObject({ pts: message.pts + 2, reactions: [{ emoji: '👍', userIds: [b.id, a.id] }] });
    expect(await react(cb, 'add')).toEqual(second);
    const removed = await react(cb, 'remove');
    expect(removed).toMatchObject({ pts: message.pts + 3, reactions: [{ emoji: '👍', userIds: [a.id] }] });
    expect(await react(cb, 'remove')).toEqual(removed);

    // Wait for the three updates to arrive, then a moment longer to be sure no fourth follows.
    await ca.collect((f) => f.type === 'message.updated' && f.message.id === message.id, 3);
    await settle(ca, cb);
    const updates = updatesOf(ca, message.id);
    expect(updates.map((f) => [f.change, f.pts])).toEqual([
      ['reaction', message.pts + 1],
      ['reaction', message.pts + 2],
      ['reaction', message.pts + 3],
    ]);
  });

  it('advances the conversation pts by exactly one per change, and not for reads, typing or refused requests', async () => {
    const { b, conv, ca, cb } = await pair();
    const m1 = (await ca.sendText(conv.id, 'one')).message;
    const m2 = (await ca.sendText(conv.id, 'two')).message;
    const edited = (await op(ca, 'edit', conv.id, m1.id, { content: { type: 'text', text: 'uno' } })).message;
    const reacted = (await op(cb, 'react', conv.id, m2.id, { emoji: '🎉', op: 'add' })).message;
    const unreacted = (await op(cb, 'react', conv.id, m2.id, { emoji: '🎉', op: 'remove' })).message;
    const deleted = (await op(ca, 'delete', conv.id, m1.id)).message;
    expect([m1.pts, m2.pts, edited.pts, reacted.pts, unreacted.pts, deleted.pts]).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => conv.lastPts + n),
    );

    await cb.request({ type: 'read', conversationId: conv.id, seq: m2.seq });
    cb.sendRaw({ type: 'typing', conversationId: conv.id, state: 'started' });
    await refusal(op(cb, 'edit', conv.id, m2.id, { content: { type: 'text', text: 'not mine' } }));
    await settle(cb);
    expect(await conversation(conv.id, b)).toMatchObject({ lastPts: conv.lastPts + 6, lastSeq: conv.lastSeq + 2 });
  });

  it('shows typing to the other members but never echoes it to the typist', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const group = await host.createGroup(a, [b, c]);
    const [ca, ca2, cb, cc] = await Promise.all([online(host, a), online(host, a), online(host, b), online(host, c)]);
    ca.sendRaw({ type: 'typing', conversationId: group.id, state: 'started' });
    for (const other of [cb, cc]) {
      expect(await other.next('typing')).toEqual({
        type: 'typing',
        conversationId: group.id,
        userId: a.id,
        state: 'started',
      });
    }
    ca.sendRaw({ type: 'typing', conversationId: group.id, state: 'stopped' });
    expect(await cb.next('typing')).toMatchObject({ userId: a.id, state: 'stopped' });
    await settle(ca, ca2);
    expect([...ca.ofType('typing'), ...ca2.ofType('typing')]).toEqual([]);
  });

  it('moves read watermarks only forward, clamps them to the newest seq and tells the other members', async () => {
    const { a, b, conv, ca, cb } = await pair();
    let last = 0;
    for (const text of ['1', '2', '3']) last = (await ca.sendText(conv.id, text)).message.seq;

    expect(await cb.request({ type: 'read', conversationId: conv.id, seq: last - 1 })).toEqual({
      conversationId: conv.id,
      seq: last - 1,
    });
    expect(await ca.next('receipt')).toEqual({ type: 'receipt', conversationId: conv.id, userId: b.id, seq: last - 1 });
    expect(await cb.request({ type: 'read', conversationId: conv.id, seq: 1 })).toEqual({
      conversationId: conv.id,
      seq: last - 1,
    });
    expect(await cb.request({ type: 'read', conversationId: conv.id, seq: last + 100 })).toEqual({
      conversationId: conv.id,
      seq: last,
    });
    expect(await ca.next('receipt')).toMatchObject({ userId: b.id, seq: last });
    await settle(ca);
    expect(ca.ofType('receipt').map((f) => f.seq)).toEqual([last - 1, last]);

    const members = await host.http('GET', `/v1/conversations/${conv.id}/members`, { token: a.token });
    expect(members.status).toBe(200);
    expect(members.body.members.find((m: any) => m.userId === b.id).readSeq).toBe(last);
    expect((await conversation(conv.id, b)).myReadSeq).toBe(last);
  });

  it('reports presence on subscribe and pushes online and offline changes of subscribed users', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    await host.direct(a, b);
    const ca = await online(host, a);
    const sub = await ca.request({ type: 'presence.subscribe', userIds: [b.id] });
    expect(sub.presence).toEqual([expect.objectContaining({ userId: b.id, status: 'offline' })]);

    const cb = await online(host, b);
    expect(await ca.next((f) => f.type === 'presence' && f.userId === b.id)).toMatchObject({ status: 'online' });
    expect((await ca.request({ type: 'presence.subscribe', userIds: [b.id] })).presence[0]).toMatchObject({
      status: 'online',
    });
    await cb.close();
    const offline = await ca.next((f) => f.type === 'presence' && f.userId === b.id);
    expect(offline.status).toBe('offline');
    expect(typeof offline.lastSeenAt).toBe('string');
  });

  it('reports a user with several connections online until the last one closes, and stops after unsubscribe', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    await host.direct(a, b);
    const ca = await online(host, a);
    await ca.request({ type: 'presence.subscribe', userIds: [b.id] });
    const phone = await online(host, b);
    const laptop = await online(host, b);
    await ca.next((f) => f.type === 'presence' && f.userId === b.id && f.status === 'online');
    await phone.close();
    await settle(ca, laptop);
    expect(ca.frames.filter((f) => f.type === 'presence' && f.userId === b.id).map((f) => f.status)).toEqual([
      'online',
    ]);
    await laptop.close();
    await ca.next((f) => f.type === 'presence' && f.userId === b.id && f.status === 'offline');

    expect(await ca.request({ type: 'presence.unsubscribe', userIds: [b.id] })).toEqual({});
    const again = await online(host, b);
    await settle(ca, again);
    expect(ca.frames.filter((f) => f.type === 'presence' && f.userId === b.id).map((f) => f.status)).toEqual([
      'online',
      'offline',
    ]);
  });

  describe('history paging', () => {
    type Page = { messages: any[]; hasMore: boolean };
    const transports: Record<
      string,
      (h: TestHost, c: TestClient, u: TestUser, id: string, q: Record<string, number>) => Promise<Page>
    > = {
      websocket: (_h, c, _u, id, q) => c.request<Page>({ type: 'history', conversationId: id, ...q }),
      http: async (h, _c, u, id, q) => {
        const qs = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();
        const res = await h.http('GET', `/v1/conversations/${id}/messages${qs ? `?${qs}` : ''}`, { token: u.token });
        expect(res.status).toBe(200);
        return res.body;
      },
    };

    it.each(Object.keys(transports))(
      'pages newest-first, before and after, always ascending, over %s',
      async (name) => {
        const page = transports[name]!;
        const { a, conv, ca } = await pair();
        for (let i = 1; i <= 12; i++) await ca.sendText(conv.id, `m${i}`);
        const all = (await page(host, ca, a, conv.id, { limit: 100 })).messages;
        const L = conv.lastSeq + 12;
        expect(all.map((m) => m.seq)).toEqual(Array.from({ length: L }, (_, i) => i + 1));
        const seqs = (p: Page) => p.messages.map((m) => m.seq);

        const newest = await page(host, ca, a, conv.id, { limit: 5 });
        expect(seqs(newest)).toEqual([L - 4, L - 3, L - 2, L - 1, L]);
        expect(newest.hasMore).toBe(true);
        expect(newest.messages.at(-1)).toEqual(all.at(-1));

        const older = await page(host, ca, a, conv.id, { before: L - 4, limit: 5 });
        expect(seqs(older)).toEqual([L - 9, L - 8, L - 7, L - 6, L - 5]);
        expect(older.hasMore).toBe(L - 9 > 1);
        const oldest = await page(host, ca, a, conv.id, { before: 3, limit: 5 });
        expect(seqs(oldest)).toEqual([1, 2]);
        expect(oldest.hasMore).toBe(false);

        const after = await page(host, ca, a, conv.id, { after: 2, limit: 4 });
        expect(seqs(after)).toEqual([3, 4, 5, 6]);
        expect(after.hasMore).toBe(true);
        const tail = await page(host, ca, a, conv.id, { after: L - 2, limit: 4 });
        expect(seqs(tail)).toEqual([L - 1, L]);
        expect(tail.hasMore).toBe(false);
      },
    );

    it('refuses before together with after, and limits outside 1..100', async () => {
      const { a, conv, ca } = await pair();
      for (const q of [{ before: 5, after: 1 }, { limit: 0 }, { limit: 101 }]) {
        expect((await refusal(ca.request({ type: 'history', conversationId: conv.id, ...q }))).code).toBe(
          'invalid_request',
        );
        const qs = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();
        const res = await host.http('GET', `/v1/conversations/${conv.id}/messages?${qs}`, { token: a.token });
        expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
      }
    });
  });

  it('sends over HTTP: 201 for a new message, 200 with duplicate:true for a resend, pushed over WebSocket', async () => {
    const { a, conv, cb } = await pair();
    const body = { clientMsgId: randomUUID(), content: { type: 'text', text: 'via http' } };
    const created = await host.http('POST', `/v1/conversations/${conv.id}/messages`, { token: a.token, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      duplicate: false,
      message: { senderId: a.id, seq: conv.lastSeq + 1, content: body.content },
    });
    const [pushed] = await cb.collect(
      (f: Frame) => f.type === 'message.created' && f.message.id === created.body.message.id,
      1,
    );
    expect(pushed!.message).toEqual(created.body.message);

    const again = await host.http('POST', `/v1/conversations/${conv.id}/messages`, { token: a.token, body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ duplicate: true, message: created.body.message });
  });
});

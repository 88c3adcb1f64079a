/**
 * Unread followed threads, for a badge: GET /v1/threads/unread lists the followed threads with
 * replies others sent after my position, and every follower's devices get their own count in a
 * `thread.unread` frame when a reply is sent or deleted there (the replier's too) or when they
 * unfollow, so a badge stays right across devices without asking the host after every reply.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID, startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online, settle } from './support/protocol-helpers.js';
import { op, send } from './support/messaging-helpers.js';
import type { TestClient } from './support/test-client.js';
import { directPair, libraryClient, libraryTestHost } from './support/client-library.js';
import { eventually } from './support/eventually.js';

describe('unread followed threads', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const reply = async (c: TestClient, conversationId: string, threadRootId: string, text: string) =>
    (await send(c, conversationId, { type: 'text', text }, { threadRootId })).message;
  const unread = async (user: TestUser) => {
    const res = await host.http('GET', '/v1/threads/unread', { token: user.token });
    expect(res.status).toBe(200);
    return res.body;
  };
  /** The next `thread.unread` frame of a socket about this thread. */
  const told = (socket: TestClient, rootId: string) =>
    socket.next((f) => f.type === 'thread.unread' && f.rootId === rootId);

  it("lists followed threads with others' unread replies, and tells each follower's devices their own count live", async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const conv = await host.createGroup(a, [b, c]);
    const [phone, laptop, cb, cc] = await Promise.all([
      online(host, a),
      online(host, a),
      online(host, b),
      online(host, c),
    ]);
    const root = (await phone.sendText(conv.id, 'root')).message;
    expect(await unread(a)).toEqual({ threads: [], hasMore: false });
    const position = (seq: number, unreadCount: number) => ({
      type: 'thread.unread',
      conversationId: conv.id,
      rootId: root.id,
      seq,
      unreadCount,
    });

    // b's reply: a follows as the root's sender, from just before it; b follows, read up to it.
    const r1 = await reply(cb, conv.id, root.id, 'one');
    for (const device of [phone, laptop]) expect(await told(device, root.id)).toEqual(position(r1.seq - 1, 1));
    expect(await told(cb, root.id)).toEqual(position(r1.seq, 0));
    expect(await unread(a)).toEqual({
      threads: [{ conversationId: conv.id, rootId: root.id, seq: r1.seq - 1, unreadCount: 1 }],
      hasMore: false,
    });
    expect(await unread(b)).toEqual({ threads: [], hasMore: false });

    const r2 = await reply(cb, conv.id, root.id, 'two');
    for (const device of [phone, laptop]) expect(await told(device, root.id)).toEqual(position(r1.seq - 1, 2));
    await told(cb, root.id);

    // My own reply moves my position to it: my devices hear the count is 0, and b hears mine is new.
    const mine = await reply(laptop, conv.id, root.id, 'mine');
    for (const device of [phone, laptop]) expect(await told(device, root.id)).toEqual(position(mine.seq, 0));
    expect(await told(cb, root.id)).toEqual(position(r2.seq, 1));
    expect(await unread(a)).toEqual({ threads: [], hasMore: false });

    // A deleted reply leaves the count.
    const r3 = await reply(cb, conv.id, root.id, 'three');
    expect(await told(phone, root.id)).toEqual(position(mine.seq, 1));
    await op(cb, 'delete', conv.id, r3.id);
    expect(await told(phone, root.id)).toEqual(position(mine.seq, 0));

    // Reading clears it (thread.read tells the devices); c follows nothing and heard nothing.
    const r4 = await reply(cb, conv.id, root.id, 'four');
    expect(await told(laptop, root.id)).toEqual(position(mine.seq, 1));
    expect((await unread(a)).threads).toEqual([
      { conversationId: conv.id, rootId: root.id, seq: mine.seq, unreadCount: 1 },
    ]);
    const read = await host.http('POST', `/v1/conversations/${conv.id}/threads/${root.id}/read`, {
      token: a.token,
      body: { seq: r4.seq },
    });
    expect(read.body).toMatchObject({ seq: r4.seq, unreadCount: 0 });
    expect(await laptop.next('thread.read')).toMatchObject({ rootId: root.id, unreadCount: 0 });
    expect(await unread(a)).toEqual({ threads: [], hasMore: false });
    await settle(cc);
    expect(cc.ofType('thread.unread')).toEqual([]);
  });

  it('leaves out conversations I left, keeps counting muted ones, and unfollowing tells my devices', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const conv = await host.createGroup(a, [b, c]);
    const [ca, cb, cc] = await Promise.all([online(host, a), online(host, b), online(host, c)]);
    const first = (await cb.sendText(conv.id, 'first root')).message;
    const second = (await cc.sendText(conv.id, 'second root')).message;
    // a follows both by hand; b follows the first as its root's sender.
    for (const root of [first, second]) {
      const res = await host.http('PUT', `/v1/conversations/${conv.id}/threads/${root.id}/follow`, { token: a.token });
      expect(res.status).toBe(204);
    }
    await reply(cc, conv.id, first.id, 'on the first');
    await reply(cc, conv.id, second.id, 'on the second');
    await told(ca, second.id);
    // Most recently followed first.
    expect((await unread(a)).threads.map((t: any) => [t.rootId, t.unreadCount])).toEqual([
      [second.id, 1],
      [first.id, 1],
    ]);

    // Muting changes no count: a client shows those threads quietly.
    await host.http('PUT', `/v1/conversations/${conv.id}/mute`, { token: a.token, body: { until: 'forever' } });
    expect((await unread(a)).threads).toHaveLength(2);

    // Unfollowing: nothing is new to me there any more, on every device.
    expect(
      (await host.http('DELETE', `/v1/conversations/${conv.id}/threads/${first.id}/follow`, { token: a.token })).status,
    ).toBe(204);
    // (a followed before any reply: the position is the root.)
    const cleared = await ca.next((f) => f.type === 'thread.unread' && f.rootId === first.id && f.unreadCount === 0);
    expect(cleared).toEqual({
      type: 'thread.unread',
      conversationId: conv.id,
      rootId: first.id,
      seq: first.seq,
      unreadCount: 0,
    });
    expect((await unread(a)).threads.map((t: any) => t.rootId)).toEqual([second.id]);

    // b leaves: their thread is no longer listed, and later replies tell them nothing.
    expect((await unread(b)).threads.map((t: any) => t.rootId)).toEqual([first.id]);
    expect((await host.http('POST', `/v1/conversations/${conv.id}/leave`, { token: b.token })).status).toBe(204);
    expect(await unread(b)).toEqual({ threads: [], hasMore: false });
    await settle(cb);
    const heard = cb.ofType('thread.unread').length;
    await reply(cc, conv.id, first.id, 'after b left');
    await told(cc, first.id); // the replier hears theirs: the counts for this reply went out
    await settle(cb);
    expect(cb.ofType('thread.unread')).toHaveLength(heard);
  });
});

describe('client library: unread followed threads', () => {
  const host = libraryTestHost();

  it('reads the unread threads through HttpApi, and every device gets the threadUnread event', async () => {
    const { a, direct: conv, ca: phone, cb } = await directPair(host);
    const laptop = await libraryClient(host, a);
    const root = await phone.client.send(conv.id, 'root').sent;
    const r1 = await cb.client.send(conv.id, 'one', { threadRootId: root.id }).sent;
    const position = { conversationId: conv.id, rootId: root.id, seq: r1.seq - 1, unreadCount: 1 };
    for (const device of [phone, laptop]) {
      await eventually(() => device.events.threadUnread.length === 1, { what: 'the threadUnread event' });
      expect(device.events.threadUnread[0]).toEqual([{ type: 'thread.unread', ...position }]);
    }
    expect(await laptop.client.http.unreadThreads()).toEqual({ threads: [position], hasMore: false });
    expect(await cb.client.http.unreadThreads()).toEqual({ threads: [], hasMore: false });
  });
});

// Hosts sharing a database need PostgreSQL (and Redis at REDIS_URL, as in cluster-bus.test.ts).
describe.skipIf(!process.env.DATABASE_URL)('unread followed threads across hosts', () => {
  const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `test-${randomUUID()}:`;
  let a: TestHost;
  let b: TestHost;
  beforeAll(async () => {
    const bus = { url: REDIS_URL, prefix };
    a = await startTestHost({ config: { bus } });
    b = await startTestHost({ config: { bus }, database: a.database });
  });
  afterAll(async () => {
    // b borrows a's database: it stops first.
    await b?.stop();
    await a?.stop();
    const redis = new Redis(REDIS_URL);
    await redis.del(`${prefix}events`);
    await redis.quit();
  });

  it('a follower connected to another host hears their count once, from the host that committed the reply', async () => {
    const [ada, bob] = await Promise.all([a.createUser(), a.createUser()]);
    const conv = await a.createGroup(bob, [ada]);
    const [onA, onB] = await Promise.all([online(a, ada), online(b, bob)]);
    const root = (await onB.sendText(conv.id, 'root')).message;
    const r1 = (await send(onA, conv.id, { type: 'text', text: 'one' }, { threadRootId: root.id })).message;
    const frame = await onB.next((f) => f.type === 'thread.unread' && f.rootId === root.id);
    expect(frame).toEqual({
      type: 'thread.unread',
      conversationId: conv.id,
      rootId: root.id,
      seq: r1.seq - 1,
      unreadCount: 1,
    });
    await settle(onB);
    expect(onB.ofType('thread.unread')).toHaveLength(1);
  });
});

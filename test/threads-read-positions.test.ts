/**
 * A follower's read position in a thread: GET /v1/threads counts what is new in each followed
 * thread (replies by others after the position, not deleted) and names the last reply; marking a
 * thread read never moves the position back and tells the reader's other devices; following starts
 * at the newest reply, replying moves the replier's position to their reply.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online, settle } from './support/protocol-helpers.js';
import { op, send } from './support/messaging-helpers.js';
import type { TestClient } from './support/test-client.js';
import { clientRefusal, directPair, libraryClient, libraryTestHost } from './support/client-library.js';
import { eventually } from './support/eventually.js';

describe('thread read positions', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const reply = async (c: TestClient, conversationId: string, threadRootId: string, text: string) =>
    (await send(c, conversationId, { type: 'text', text }, { threadRootId })).message;
  const followed = async (user: TestUser) => {
    const res = await host.http('GET', '/v1/threads', { token: user.token });
    expect(res.status).toBe(200);
    return res.body.threads as any[];
  };
  const entry = async (user: TestUser, rootId: string) => (await followed(user)).find((t) => t.root.id === rootId);
  const markRead = (user: TestUser, conversationId: string, rootId: string, body: unknown) =>
    host.http('POST', `/v1/conversations/${conversationId}/threads/${rootId}/read`, { token: user.token, body });

  /** a starts a thread in a group of three; b replies; a (on two sockets) and b follow it. */
  async function thread() {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const conv = await host.createGroup(a, [b, c]);
    const [phone, laptop, cb] = await Promise.all([online(host, a), online(host, a), online(host, b)]);
    const root = (await phone.sendText(conv.id, 'root')).message;
    return { a, b, c, conv, phone, laptop, cb, root };
  }

  it("counts others' live replies after my position, names the last reply, and clears on read", async () => {
    const { a, b, conv, phone, laptop, cb, root } = await thread();
    const r1 = await reply(cb, conv.id, root.id, 'one');
    const r2 = await reply(cb, conv.id, root.id, 'two');
    await cb.sendText(conv.id, 'in the main timeline'); // not a reply: not counted
    // a follows as the root's sender, from just before the first reply: both are new.
    expect(await entry(a, root.id)).toMatchObject({
      conversationId: conv.id,
      unreadCount: 2,
      lastReadSeq: r1.seq - 1,
      lastReply: { id: r2.id, content: { text: 'two' } },
    });
    // b replied: read up to their own reply, and their own replies never count.
    expect(await entry(b, root.id)).toMatchObject({ unreadCount: 0, lastReadSeq: r2.seq });

    // My own replies do not count; a deleted reply leaves the count, and the last reply moves back.
    const mine = await reply(laptop, conv.id, root.id, 'mine');
    expect((await entry(a, root.id)).lastReadSeq).toBe(mine.seq); // replying reads it up to my reply
    const r3 = await reply(cb, conv.id, root.id, 'three');
    const r4 = await reply(cb, conv.id, root.id, 'four');
    expect((await entry(a, root.id)).unreadCount).toBe(2);
    await op(cb, 'delete', conv.id, r4.id);
    expect(await entry(a, root.id)).toMatchObject({ unreadCount: 1, lastReply: { id: r3.id } });

    // Reading up to r3 clears it; every one of my sockets is told, no one else's.
    const read = await markRead(a, conv.id, root.id, { seq: r3.seq });
    expect(read.status).toBe(200);
    const position = { conversationId: conv.id, rootId: root.id, seq: r3.seq, unreadCount: 0 };
    expect(read.body).toEqual(position);
    for (const socket of [phone, laptop]) {
      expect(await socket.next('thread.read')).toEqual({ type: 'thread.read', ...position });
    }
    expect(await entry(a, root.id)).toMatchObject({ unreadCount: 0, lastReadSeq: r3.seq });
    await settle(cb);
    expect(cb.ofType('thread.read')).toEqual([]);

    // The thread page says whether I follow it and where I am.
    const page = await host.http('GET', `/v1/conversations/${conv.id}/threads/${root.id}/messages`, {
      token: a.token,
    });
    expect(page.body).toMatchObject({ following: true, lastReadSeq: r3.seq });
  });

  it('never moves the position back, stops at the newest reply, and tells no one when nothing moved', async () => {
    const { a, conv, phone, cb, root } = await thread();
    const r1 = await reply(cb, conv.id, root.id, 'one');
    const r2 = await reply(cb, conv.id, root.id, 'two');
    await cb.sendText(conv.id, 'after the thread'); // the conversation goes on past the thread
    const lastSeq = r2.seq + 1;

    expect((await markRead(a, conv.id, root.id, { seq: r2.seq })).body).toMatchObject({ seq: r2.seq, unreadCount: 0 });
    await phone.next('thread.read');
    const back = await markRead(a, conv.id, root.id, { seq: r1.seq });
    expect([back.status, back.body.seq, back.body.unreadCount]).toEqual([200, r2.seq, 0]);
    // Past the newest reply (but not past the conversation): the position stops at the newest reply.
    const ahead = await markRead(a, conv.id, root.id, { seq: lastSeq });
    expect(ahead.body).toMatchObject({ seq: r2.seq, unreadCount: 0 });
    await settle(phone);
    expect(phone.ofType('thread.read')).toHaveLength(1);
    const r3 = await reply(cb, conv.id, root.id, 'three');
    expect(await entry(a, root.id)).toMatchObject({ unreadCount: 1, lastReadSeq: r2.seq });
    expect((await markRead(a, conv.id, root.id, { seq: r3.seq })).body).toMatchObject({ seq: r3.seq, unreadCount: 0 });
  });

  it('starts a follower at the newest reply; unfollowing and following again starts over there', async () => {
    const { c, conv, cb, root } = await thread();
    await reply(cb, conv.id, root.id, 'before c follows');
    const r2 = await reply(cb, conv.id, root.id, 'also before');
    const follow = (method: string) =>
      host.http(method, `/v1/conversations/${conv.id}/threads/${root.id}/follow`, { token: c.token });
    expect((await follow('PUT')).status).toBe(204);
    expect(await entry(c, root.id)).toMatchObject({ unreadCount: 0, lastReadSeq: r2.seq });
    const r3 = await reply(cb, conv.id, root.id, 'after c follows');
    expect(await entry(c, root.id)).toMatchObject({ unreadCount: 1, lastReply: { id: r3.id } });
    // Following again changes nothing, the count included.
    expect((await follow('PUT')).status).toBe(204);
    expect((await entry(c, root.id)).unreadCount).toBe(1);
    expect((await follow('DELETE')).status).toBe(204);
    expect((await follow('PUT')).status).toBe(204);
    expect(await entry(c, root.id)).toMatchObject({ unreadCount: 0, lastReadSeq: r3.seq });

    // A root without replies: the position is the root itself, and the last reply is null.
    const bare = (await cb.sendText(conv.id, 'no replies yet')).message;
    await host.http('PUT', `/v1/conversations/${conv.id}/threads/${bare.id}/follow`, { token: c.token });
    expect(await entry(c, bare.id)).toMatchObject({ unreadCount: 0, lastReadSeq: bare.seq, lastReply: null });
  });

  it('refuses unknown threads, replies as roots, non-followers, non-members and bad seqs with catalog errors', async () => {
    const { a, c, conv, cb, root } = await thread();
    const r1 = await reply(cb, conv.id, root.id, 'one');
    const refused = async (user: TestUser, rootId: string, body: unknown, conversationId = conv.id) => {
      const res = await markRead(user, conversationId, rootId, body);
      return [res.status, res.body.error?.code];
    };
    expect(await refused(a, '00000000-0000-4000-8000-000000000000', { seq: 1 })).toEqual([404, 'message_not_found']);
    expect(await refused(a, 'not a uuid', { seq: 1 })).toEqual([404, 'message_not_found']);
    expect(await refused(a, r1.id, { seq: r1.seq })).toEqual([400, 'invalid_thread_root']);
    expect(await refused(c, root.id, { seq: r1.seq })).toEqual([404, 'thread_not_followed']);
    const outsider = await host.createUser();
    expect(await refused(outsider, root.id, { seq: r1.seq })).toEqual([404, 'conversation_not_found']);
    for (const bad of [{ seq: -1 }, { seq: 1.5 }, { seq: '3' }, {}, { seq: 1, extra: true }, { seq: 2 ** 60 }]) {
      expect(await refused(a, root.id, bad), JSON.stringify(bad)).toEqual([400, 'invalid_request']);
    }
    // A seq the conversation has not reached names nothing that could have been read.
    expect(await refused(a, root.id, { seq: r1.seq + 1 })).toEqual([400, 'invalid_request']);
    expect((await entry(a, root.id)).unreadCount).toBe(1);
  });
});

describe('client library: thread read positions', () => {
  const host = libraryTestHost();

  it('marks a followed thread read through HttpApi, and both devices get the threadRead event', async () => {
    // a on two devices (phone and laptop), b on one, in their direct conversation.
    const { a, direct: conv, ca: phone, cb } = await directPair(host);
    const laptop = await libraryClient(host, a);
    const root = await phone.client.send(conv.id, 'root').sent;
    const r1 = await cb.client.send(conv.id, 'one', { threadRootId: root.id }).sent;
    const { threads } = await laptop.client.http.followedThreads();
    expect(threads.map((t) => [t.root.id, t.unreadCount, t.lastReply?.id])).toEqual([[root.id, 1, r1.id]]);

    const read = await laptop.client.http.markThreadRead(conv.id, root.id, r1.seq);
    const position = { conversationId: conv.id, rootId: root.id, seq: r1.seq, unreadCount: 0 };
    expect(read).toEqual(position);
    for (const device of [phone, laptop]) {
      await eventually(() => device.events.threadRead.length === 1, { what: 'the threadRead event' });
      expect(device.events.threadRead[0]).toEqual([{ type: 'thread.read', ...position }]);
    }
    expect(cb.events.threadRead).toEqual([]);
    const refused = await clientRefusal(cb.client.http.markThreadRead(conv.id, r1.id, r1.seq));
    expect([refused.status, refused.code]).toEqual([400, 'invalid_thread_root']);
  });
});

/**
 * Threads: replies under a root stay in the conversation's stream; the root must be a live
 * message of the main timeline of the same conversation; a thread pages by seq without gaps and
 * resumes by `after`; the root's summary counts live replies and names the last; the root's sender,
 * repliers and whoever a reply mentions by name follow it, and anyone may follow or unfollow by hand.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online, refusal } from './support/protocol-helpers.js';
import { historyOf, op, pairOn, send } from './support/messaging-helpers.js';
import type { TestClient } from './support/test-client.js';

describe('threads', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const reply = (c: TestClient, conversationId: string, threadRootId: string, text: string) =>
    send(c, conversationId, { type: 'text', text }, { threadRootId });
  const page = (user: TestUser, conversationId: string, rootId: string, query = '') =>
    host.http('GET', `/v1/conversations/${conversationId}/threads/${rootId}/messages${query}`, { token: user.token });
  const followed = async (user: TestUser, query = '') => {
    const res = await host.http('GET', `/v1/threads${query}`, { token: user.token });
    expect(res.status).toBe(200);
    return res.body as { threads: { conversationId: string; root: any }[]; nextCursor: string | null };
  };

  it('keeps replies in the conversation stream, and refuses roots elsewhere, replies as roots and deleted roots', async () => {
    const { a, conv, ca, cb } = await pairOn(host);
    const root = (await ca.sendText(conv.id, 'root')).message;
    const first = await reply(cb, conv.id, root.id, 'first reply');
    expect(first.message).toMatchObject({ threadRootId: root.id, seq: root.seq + 1, pts: root.pts + 1, thread: null });
    // Every member's sockets get it as any message of the conversation.
    const [pushed] = await ca.collect((f) => f.type === 'message.created' && f.message.id === first.message.id, 1);
    expect(pushed!.message.threadRootId).toBe(root.id);
    expect((await historyOf(ca, conv.id)).map((m) => m.id)).toContain(first.message.id);

    // Over HTTP too, with the same resend rules: a different thread is a different request.
    const clientMsgId = randomUUID();
    const overHttp = await host.http('POST', `/v1/conversations/${conv.id}/messages`, {
      token: a.token,
      body: { clientMsgId, content: { type: 'text', text: 'http reply' }, threadRootId: root.id },
    });
    expect(overHttp.status).toBe(201);
    expect(overHttp.body.message.threadRootId).toBe(root.id);
    const resend = await host.http('POST', `/v1/conversations/${conv.id}/messages`, {
      token: a.token,
      body: { clientMsgId, content: { type: 'text', text: 'http reply' } },
    });
    expect(resend.status).toBe(409);
    expect(resend.body.error.code).toBe('client_msg_id_conflict');

    const other = await pairOn(host);
    const elsewhere = (await other.ca.sendText(other.conv.id, 'elsewhere')).message;
    expect((await refusal(reply(ca, conv.id, elsewhere.id, 'x'))).code).toBe('message_not_found');
    expect((await refusal(reply(ca, conv.id, first.message.id, 'nested'))).code).toBe('invalid_thread_root');
    const doomed = (await ca.sendText(conv.id, 'doomed')).message;
    await op(ca, 'delete', conv.id, doomed.id);
    expect((await refusal(reply(ca, conv.id, doomed.id, 'too late'))).code).toBe('message_deleted');
    const lastSeq = (await historyOf(ca, conv.id)).at(-1).seq;
    expect(lastSeq).toBe(doomed.seq);
  });

  it('pages a thread by seq without gaps, resumes by after, and shows the summary on the root', async () => {
    const { a, b, conv, ca, cb } = await pairOn(host);
    const root = (await ca.sendText(conv.id, 'thread root')).message;
    const replies = [];
    for (let i = 1; i <= 5; i++) {
      replies.push((await reply(i % 2 ? cb : ca, conv.id, root.id, `reply ${i}`)).message);
      await ca.sendText(conv.id, `main ${i}`); // the main timeline goes on between replies
    }
    const newest = await page(a, conv.id, root.id, '?limit=2');
    expect(newest.status).toBe(200);
    expect(newest.body.messages.map((m: any) => m.id)).toEqual(replies.slice(3).map((m) => m.id));
    expect(newest.body.hasMore).toBe(true);
    expect(newest.body.root).toMatchObject({
      id: root.id,
      thread: {
        replyCount: 5,
        lastReplyId: replies[4]!.id,
        lastReplySenderId: b.id,
        lastReplyAt: replies[4]!.createdAt,
      },
    });
    const older = await page(a, conv.id, root.id, `?before=${replies[3]!.seq}&limit=2`);
    expect(older.body.messages.map((m: any) => m.id)).toEqual(replies.slice(1, 3).map((m) => m.id));
    expect(older.body.hasMore).toBe(true);

    // A client that saw up to reply 2 resumes after it and gets every later reply, in order, once.
    const resumed = await page(b, conv.id, root.id, `?after=${replies[1]!.seq}&limit=2`);
    expect(resumed.body.messages.map((m: any) => m.id)).toEqual(replies.slice(2, 4).map((m) => m.id));
    expect(resumed.body.hasMore).toBe(true);
    const rest = await page(b, conv.id, root.id, `?after=${replies[3]!.seq}&limit=2`);
    expect(rest.body.messages.map((m: any) => m.id)).toEqual([replies[4]!.id]);
    expect(rest.body.hasMore).toBe(false);

    // The summary is on the root wherever it is read: history and the listing.
    const inHistory = (await historyOf(cb, conv.id)).find((m) => m.id === root.id);
    expect(inHistory.thread).toEqual(newest.body.root.thread);
    expect((await historyOf(cb, conv.id)).filter((m) => m.thread !== null)).toHaveLength(1);

    // Bad pages: a reply as root, before and after together, a non-member.
    const nested = await page(a, conv.id, replies[0]!.id);
    expect([nested.status, nested.body.error.code]).toEqual([400, 'invalid_thread_root']);
    const both = await page(a, conv.id, root.id, '?before=9&after=1');
    expect([both.status, both.body.error.code]).toEqual([400, 'invalid_request']);
    const outsider = await host.createUser();
    const stranger = await page(outsider, conv.id, root.id);
    expect([stranger.status, stranger.body.error.code]).toEqual([404, 'conversation_not_found']);
  });

  it('counts only live replies in the summary: a deleted reply leaves the count and the last reply moves back', async () => {
    const { a, conv, ca, cb } = await pairOn(host);
    const root = (await ca.sendText(conv.id, 'root')).message;
    const r1 = (await reply(cb, conv.id, root.id, 'one')).message;
    const r2 = (await reply(ca, conv.id, root.id, 'two')).message;
    await op(ca, 'delete', conv.id, r2.id);
    const after = await page(a, conv.id, root.id);
    expect(after.body.root.thread).toEqual({
      replyCount: 1,
      lastReplyId: r1.id,
      lastReplySenderId: r1.senderId,
      lastReplyAt: r1.createdAt,
    });
    // The tombstone stays in the page: a thread has no gaps.
    expect(after.body.messages.map((m: any) => [m.id, m.deletedAt !== null])).toEqual([
      [r1.id, false],
      [r2.id, true],
    ]);
    await op(cb, 'delete', conv.id, r1.id);
    expect((await page(a, conv.id, root.id)).body.root.thread).toBeNull();
    // A root that is edited keeps answering with its summary (edits and reactions carry it).
    await reply(cb, conv.id, root.id, 'three');
    const reacted = await op(cb, 'react', conv.id, root.id, { emoji: '👍', op: 'add' });
    expect(reacted.message.thread.replyCount).toBe(1);
  });

  it("makes the root's sender and repliers followers, and lets members follow and unfollow by hand", async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const conv = await host.createGroup(a, [b, c]);
    const [ca, cb] = await Promise.all([online(host, a), online(host, b)]);
    const root = (await ca.sendText(conv.id, 'root by a')).message;
    expect((await followed(a)).threads).toEqual([]);
    await reply(cb, conv.id, root.id, 'b replies');
    for (const user of [a, b]) {
      const list = await followed(user);
      expect(list.threads.map((t) => [t.conversationId, t.root.id])).toEqual([[conv.id, root.id]]);
      expect(list.threads[0]!.root.thread.replyCount).toBe(1);
    }
    expect((await followed(c)).threads).toEqual([]);

    const follow = (user: TestUser, method: string, rootId = root.id) =>
      host.http(method, `/v1/conversations/${conv.id}/threads/${rootId}/follow`, { token: user.token });
    expect((await follow(c, 'PUT')).status).toBe(204);
    expect((await follow(c, 'PUT')).status).toBe(204);
    expect((await followed(c)).threads.map((t) => t.root.id)).toEqual([root.id]);
    expect((await follow(a, 'DELETE')).status).toBe(204);
    expect((await followed(a)).threads).toEqual([]);
    const outsider = await host.createUser();
    expect((await follow(outsider, 'PUT')).status).toBe(404);

    // Pages of the followed list, most recently followed first.
    const roots = [];
    for (let i = 0; i < 3; i++) {
      const r = (await ca.sendText(conv.id, `root ${i}`)).message;
      roots.push(r);
      expect((await follow(c, 'PUT', r.id)).status).toBe(204);
    }
    const first = await followed(c, '?limit=2');
    expect(first.threads.map((t) => t.root.id)).toEqual([roots[2]!.id, roots[1]!.id]);
    const second = await followed(c, `?limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(second.threads.map((t) => t.root.id)).toEqual([roots[0]!.id, root.id]);
    expect(second.nextCursor).toBeNull();
    const bad = await host.http('GET', '/v1/threads?cursor=nope', { token: c.token });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);

    // Leaving the group takes its threads off the list.
    await host.http('POST', `/v1/conversations/${conv.id}/leave`, { token: c.token });
    expect((await followed(c)).threads).toEqual([]);
  });

  it('makes whoever a reply mentions by name a follower, with that reply new to them; @all follows no one', async () => {
    const [a, b, c, d] = await Promise.all([
      host.createUser(),
      host.createUser(),
      host.createUser(),
      host.createUser(),
    ]);
    const conv = await host.createGroup(a, [b, c, d]);
    const ca = await online(host, a);
    const root = (await ca.sendText(conv.id, 'root by a')).message;
    const mention = (await reply(ca, conv.id, root.id, `@${b.handle} can you look? @all too`)).message;
    expect(mention.entities.map((e: { type: string }) => e.type)).toEqual(['mention', 'mention_all']);
    expect((await followed(b)).threads.map((t) => t.root.id)).toEqual([root.id]);
    const unread = await host.http('GET', '/v1/threads/unread', { token: b.token });
    expect(unread.body.threads).toEqual([
      { conversationId: conv.id, rootId: root.id, seq: mention.seq - 1, unreadCount: 1 },
    ]);
    // @all (the group's admin may use it) follows no one; the unmentioned stay out.
    for (const user of [c, d]) expect((await followed(user)).threads).toEqual([]);
    // A follower already there keeps their position: b reads the thread, then is mentioned again.
    const read = await host.http('POST', `/v1/conversations/${conv.id}/threads/${root.id}/read`, {
      token: b.token,
      body: { seq: mention.seq },
    });
    expect(read.body.unreadCount).toBe(0);
    const again = (await reply(ca, conv.id, root.id, `@${b.handle} and again`)).message;
    const page2 = await host.http('GET', `/v1/conversations/${conv.id}/threads/${root.id}/messages`, {
      token: b.token,
    });
    expect([page2.body.following, page2.body.lastReadSeq]).toEqual([true, mention.seq]);
    expect(again.seq).toBeGreaterThan(mention.seq);
  });
});

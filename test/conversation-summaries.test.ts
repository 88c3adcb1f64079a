/**
 * Conversation summaries: every answer that returns a Conversation carries the newest message
 * (as history shows it, a tombstone once deleted) and the caller's unread count (others' live
 * messages past their read watermark), for one conversation or hundreds at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online } from './support/protocol-helpers.js';
import { historyOf, op } from './support/messaging-helpers.js';
import type { TestClient } from './support/test-client.js';

describe('conversation summaries', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const users = (n: number) => Promise.all(Array.from({ length: n }, () => host.createUser()));
  const listOf = async (user: TestUser) => {
    const res = await host.http('GET', '/v1/conversations', { token: user.token });
    expect(res.status).toBe(200);
    return res.body.conversations as any[];
  };
  const viewOf = async (user: TestUser, id: string) => {
    const res = await host.http('GET', `/v1/conversations/${id}`, { token: user.token });
    expect(res.status).toBe(200);
    return res.body;
  };
  /** The conversation as `user` sees it, from the listing and from GET /:id, which must agree. */
  const seenBy = async (user: TestUser, id: string) => {
    const [listed, single] = await Promise.all([listOf(user), viewOf(user, id)]);
    const fromList = listed.find((c) => c.id === id);
    expect(fromList).toEqual(single);
    return single;
  };
  /** The newest message as history shows it, reactions included. */
  const newest = async (client: TestClient, id: string) => (await historyOf(client, id)).at(-1);

  it('an empty direct conversation has no last message and nothing unread', async () => {
    const [a, b] = (await users(2)) as [TestUser, TestUser];
    const created = await host.direct(a, b);
    expect(created).toMatchObject({ lastSeq: 0, lastMessage: null, unreadCount: 0 });
    expect(await seenBy(b, created.id)).toMatchObject({ lastMessage: null, unreadCount: 0 });
  });

  it('follows sends, edits, reactions and deletes, counting only what others sent and is not deleted', async () => {
    const [a, b] = (await users(2)) as [TestUser, TestUser];
    const conv = await host.direct(a, b);
    const [ca, cb] = await Promise.all([online(host, a), online(host, b)]);
    const first = (await ca.sendText(conv.id, 'one')).message;
    await ca.sendText(conv.id, 'two');
    const third = (await ca.sendText(conv.id, 'three')).message;
    await cb.sendText(conv.id, 'from b');

    let forB = await seenBy(b, conv.id);
    expect(forB.lastMessage).toEqual(await newest(cb, conv.id));
    expect(forB.lastMessage.content).toEqual({ type: 'text', text: 'from b' });
    expect(forB.unreadCount).toBe(3); // a's three; b's own message is not unread for b
    expect((await seenBy(a, conv.id)).unreadCount).toBe(1);

    // The newest message changes in place: an edit and a reaction show at once.
    const last = forB.lastMessage;
    await op(cb, 'edit', conv.id, last.id, { content: { type: 'text', text: 'from b, edited' } });
    await op(ca, 'react', conv.id, last.id, { emoji: '👍', op: 'add' });
    forB = await seenBy(b, conv.id);
    expect(forB.lastMessage).toMatchObject({
      id: last.id,
      content: { type: 'text', text: 'from b, edited' },
      reactions: [{ emoji: '👍', userIds: [a.id] }],
    });
    expect(forB.lastMessage.editedAt).not.toBeNull();
    expect(forB.lastMessage).toEqual(await newest(cb, conv.id));

    // Deleted: the last message is its tombstone, and a deleted message is no longer unread.
    await op(cb, 'delete', conv.id, last.id);
    await op(ca, 'delete', conv.id, first.id);
    forB = await seenBy(b, conv.id);
    expect(forB.lastMessage).toMatchObject({ id: last.id, content: null, reactions: [] });
    expect(forB.lastMessage.deletedAt).not.toBeNull();
    expect(forB.unreadCount).toBe(2);

    // Reading up to a seq clears what is at or below it; a new message counts again.
    await cb.request({ type: 'read', conversationId: conv.id, seq: third.seq - 1 });
    expect((await seenBy(b, conv.id)).unreadCount).toBe(1);
    await cb.request({ type: 'read', conversationId: conv.id, seq: forB.lastSeq });
    expect(await seenBy(b, conv.id)).toMatchObject({ unreadCount: 0, myReadSeq: forB.lastSeq });
    const fourth = (await ca.sendText(conv.id, 'four')).message;
    expect(await seenBy(b, conv.id)).toMatchObject({ unreadCount: 1, lastMessage: { id: fourth.id } });
  });

  it('every answer that returns a Conversation carries them: create group, rename, add members', async () => {
    const [owner, member, late] = (await users(3)) as [TestUser, TestUser, TestUser];
    const group = await host.createGroup(owner, [member], 'Summaries');
    // The group opens with the owner's system message: unread for the member only.
    expect(group).toMatchObject({ lastSeq: 1, unreadCount: 0, lastMessage: { seq: 1, senderId: owner.id } });
    expect(group.lastMessage.content.type).toBe('system.conversation_created');
    expect(await seenBy(member, group.id)).toMatchObject({ unreadCount: 1, lastMessage: { seq: 1 } });

    const renamed = await host.http('PATCH', `/v1/conversations/${group.id}`, {
      token: owner.token,
      body: { title: 'Renamed' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ lastSeq: 2, unreadCount: 0, lastMessage: { seq: 2 } });
    expect(renamed.body.lastMessage.content).toMatchObject({ type: 'system.title_changed' });

    const added = await host.http('POST', `/v1/conversations/${group.id}/members`, {
      token: owner.token,
      body: { userIds: [late.id] },
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ lastSeq: 3, unreadCount: 0, lastMessage: { seq: 3 } });
    // A member who joined late starts at their join: only the notice that adds them is unread.
    expect(await seenBy(late, group.id)).toMatchObject({ unreadCount: 1, myReadSeq: 2, lastMessage: { seq: 3 } });
  });

  it('lists many conversations, each with its own summary, newest activity first', async () => {
    const [me, ...others] = await users(13);
    const clients = await Promise.all(others.map((o) => online(host, o)));
    const directs = [];
    for (const other of others) directs.push(await host.direct(me!, other));
    // Conversation i gets i messages from the other side: its unread count is i, its last text "i/i".
    for (const [i, conv] of directs.entries()) {
      for (let n = 1; n <= i; n++) await clients[i]!.sendText(conv.id, `${n}/${i}`);
    }
    const listed = await listOf(me!);
    expect(listed).toHaveLength(others.length);
    for (const [i, conv] of directs.entries()) {
      const seen = listed.find((c) => c.id === conv.id);
      expect(seen.unreadCount, `conversation ${i}`).toBe(i);
      expect(seen.lastMessage?.content ?? null).toEqual(i === 0 ? null : { type: 'text', text: `${i}/${i}` });
      expect(seen.lastMessage?.conversationId ?? conv.id).toBe(conv.id);
    }
    expect(listed[0].id).toBe(directs.at(-1)!.id);

    // New activity in an older conversation brings it to the front.
    await clients[1]!.sendText(directs[1]!.id, 'again');
    const relisted = await listOf(me!);
    expect(relisted[0]).toMatchObject({
      id: directs[1]!.id,
      unreadCount: 2,
      lastMessage: { content: { text: 'again' } },
    });
  });

  it('a non-member learns nothing: conversation_not_found', async () => {
    const [a, b, outsider] = (await users(3)) as [TestUser, TestUser, TestUser];
    const conv = await host.direct(a, b);
    const res = await host.http('GET', `/v1/conversations/${conv.id}`, { token: outsider.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('conversation_not_found');
    expect((await listOf(outsider)).map((c) => c.id)).not.toContain(conv.id);
  });
});

/**
 * The client library's counts, mute and thread summaries across two devices of one user: mention
 * and unread counts move with the messages each device receives and both clear when the other
 * device reads; a mute on one device reaches the other; a cached root's summary follows the
 * replies received; thread pages, follows and mute through its HttpApi.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { conversationOn } from './support/messaging-helpers.js';
import { libraryClient, libraryTestHost } from './support/client-library.js';

describe('client library: mention counts, mute and threads on two devices', () => {
  const host = libraryTestHost();

  async function setup() {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.createGroup(a, [b]);
    const [phone, laptop, cb] = await Promise.all([
      libraryClient(host, a),
      libraryClient(host, a),
      libraryClient(host, b),
    ]);
    return { a, b, conv, phone, laptop, cb };
  }

  it('counts mentions and unread on both devices, and a read on one clears both counts on the other', async () => {
    const { a, conv, phone, laptop, cb } = await setup();
    const view = () => laptop.client.conversation(conv.id)!;
    const root = await cb.client.send(conv.id, `@${a.handle} have a look`).sent;
    await eventually(() => view().mentionCount === 1 && view().unreadCount === 1, { what: 'the first mention' });
    // A reply in a thread that mentions me: a mention, not an unread message of the timeline.
    await cb.client.send(conv.id, `@${a.handle} in the thread`, { threadRootId: root.id }).sent;
    await cb.client.send(conv.id, 'no mention here').sent;
    await eventually(() => view().mentionCount === 2 && view().unreadCount === 2, { what: 'two mentions' });
    expect(view().conversation.mentionCount).toBe(2);
    // The host counts the same.
    expect(await conversationOn(host, conv.id, a)).toMatchObject({ mentionCount: 2, unreadCount: 2 });
    expect(cb.client.conversation(conv.id)!.mentionCount).toBe(0);

    await phone.client.markRead(conv.id);
    expect(phone.client.conversation(conv.id)).toMatchObject({ mentionCount: 0, unreadCount: 0 });
    await eventually(() => view().mentionCount === 0 && view().unreadCount === 0, {
      what: 'the laptop to clear its counts from the receipt',
    });
    expect(laptop.events.receipt.some(([r]) => r.userId === a.id)).toBe(true);
    // The listing agrees after a refresh.
    await laptop.client.refreshConversations();
    expect(view()).toMatchObject({ mentionCount: 0, unreadCount: 0 });
  });

  it('mutes on one device and the other learns it; unmuting too', async () => {
    const { conv, phone, laptop } = await setup();
    const view = await phone.client.mute(conv.id, 'forever');
    expect(view.mutedUntil).toBe('9999-12-31T23:59:59.999Z');
    await eventually(() => laptop.client.conversation(conv.id)!.mutedUntil === '9999-12-31T23:59:59.999Z', {
      what: 'the laptop to learn the mute',
    });
    expect(laptop.client.conversation(conv.id)!.conversation.mutedUntil).toBe('9999-12-31T23:59:59.999Z');
    await phone.client.mute(conv.id, null);
    await eventually(() => laptop.client.conversation(conv.id)!.mutedUntil === null, { what: 'the unmute' });
  });

  it("keeps a cached root's summary in step with the replies it receives, and reads threads over HTTP", async () => {
    const { b, conv, laptop, cb } = await setup();
    const root = await laptop.client.send(conv.id, 'a root').sent;
    await laptop.client.loadOlder(conv.id);
    const cachedRoot = () => laptop.client.messages(conv.id).find((m) => m.id === root.id)!;
    expect(cachedRoot().thread).toBeNull();

    const first = await cb.client.send(conv.id, 'first', { threadRootId: root.id }).sent;
    await eventually(() => cachedRoot().thread?.replyCount === 1, { what: 'the summary to count the reply' });
    expect(cachedRoot().thread).toEqual({
      replyCount: 1,
      lastReplyId: first.id,
      lastReplySenderId: b.id,
      lastReplyAt: first.createdAt,
    });
    expect(laptop.events.thread.at(-1)![0]).toMatchObject({ conversationId: conv.id, root: { id: root.id } });
    const second = await laptop.client.send(conv.id, 'second', { threadRootId: root.id }).sent;
    await eventually(() => cachedRoot().thread?.lastReplyId === second.id, { what: 'my own reply' });
    expect(cachedRoot().thread!.replyCount).toBe(2);

    await laptop.client.delete(conv.id, second.id);
    await eventually(() => cachedRoot().thread?.replyCount === 1, { what: 'the deleted reply to leave the count' });
    expect(cachedRoot().thread!.lastReplyId).toBe(first.id);

    // What the host says agrees with the cache.
    const page = await laptop.client.http.threadMessages(conv.id, root.id, { after: root.seq });
    expect(page.root.thread).toEqual(cachedRoot().thread);
    expect(page.messages.map((m) => m.id)).toEqual([first.id, second.id]);
    const followed = await laptop.client.http.followedThreads();
    expect(followed.threads.map((t) => t.root.id)).toEqual([root.id]);
    await laptop.client.http.unfollowThread(conv.id, root.id);
    expect((await laptop.client.http.followedThreads()).threads).toEqual([]);
    await laptop.client.http.followThread(conv.id, root.id);
    expect((await laptop.client.http.followedThreads({ limit: 1 })).threads).toHaveLength(1);
  });
});

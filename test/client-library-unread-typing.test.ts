/**
 * The client library's live state: unread counts (from the listing, moved by messages, cleared by
 * markRead and by a read on another of my devices), typing with its expiry, and presence.
 */
import { describe, expect, it } from 'vitest';
import { TYPING_EXPIRY_MS } from '../sdk/client/typing-tracker.js';
import { eventually } from './support/eventually.js';
import { conversationOn } from './support/messaging-helpers.js';
import { libraryClient, libraryTestHost, messageEvents, directPair } from './support/client-library.js';

describe('client library: unread, typing and presence', () => {
  const host = libraryTestHost();

  it('unread: from the listing, +1 per message of others, -1 when one is deleted, 0 after markRead or a read elsewhere', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const cb = await libraryClient(host, b);
    for (const text of ['one', 'two']) await cb.client.send(direct.id, text).sent;

    const ca = await libraryClient(host, a);
    expect(ca.client.conversation(direct.id)!.unreadCount).toBe(2);
    const three = await cb.client.send(direct.id, 'three').sent;
    await eventually(() => ca.client.conversation(direct.id)!.unreadCount === 3, { what: 'unread 3' });
    // My own messages never count.
    await ca.client.send(direct.id, 'mine').sent;
    expect(ca.client.conversation(direct.id)!.unreadCount).toBe(3);
    await cb.client.delete(direct.id, three.id);
    await eventually(() => ca.client.conversation(direct.id)!.unreadCount === 2, { what: 'unread 2 after a delete' });

    expect(await ca.client.markRead(direct.id)).toBe(4);
    expect(ca.client.conversation(direct.id)).toMatchObject({ unreadCount: 0, conversation: { myReadSeq: 4 } });
    await eventually(() => cb.events.receipt.some(([r]) => r.userId === a.id && r.seq === 4), {
      what: 'b sees a read',
    });
    expect(cb.client.conversation(direct.id)!.readSeqs[a.id]).toBe(4);

    const five = await cb.client.send(direct.id, 'five').sent;
    const six = await cb.client.send(direct.id, 'six').sent;
    await eventually(() => ca.client.conversation(direct.id)!.unreadCount === 2, { what: 'unread 2 again' });
    // a reads on another device: its receipt reaches this client, which clears the count.
    const phone = await host.connect(a.token);
    await phone.request({ type: 'read', conversationId: direct.id, seq: five.seq });
    await eventually(() => ca.client.conversation(direct.id)!.unreadCount === 1, {
      what: 'unread 1 after the phone read',
    });
    await phone.request({ type: 'read', conversationId: direct.id, seq: six.seq });
    await eventually(() => ca.client.conversation(direct.id)!.unreadCount === 0, { what: 'unread 0' });
    expect(ca.client.conversation(direct.id)!.conversation.myReadSeq).toBe(six.seq);

    // The host agrees.
    expect((await conversationOn(host, direct.id, a)).unreadCount).toBe(0);
    await ca.client.refreshConversations();
    expect(ca.client.conversation(direct.id)!.unreadCount).toBe(0);
  });

  it('the list is in order of latest activity, and a message moves its conversation first', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const withB = await host.direct(a, b);
    const withC = await host.direct(a, c);
    const [ca, cb] = await Promise.all([libraryClient(host, a), libraryClient(host, b)]);
    expect(ca.client.conversations().map((v) => v.conversation.id)).toEqual([withC.id, withB.id]);
    const m = await cb.client.send(withB.id, 'me first').sent;
    await eventually(() => messageEvents(ca, m.id).length === 1);
    expect(ca.client.conversations().map((v) => v.conversation.id)).toEqual([withB.id, withC.id]);
    expect(ca.events.conversations.at(-1)![0].map((v) => v.conversation.id)).toEqual([withB.id, withC.id]);
  });

  it('typing: started shows the typist, stopped removes them, and an entry expires 6 s after its last started', async () => {
    const { b, direct, ca, cb } = await directPair(host);

    cb.client.typing(direct.id, 'started');
    await eventually(() => ca.client.conversation(direct.id)!.typing.includes(b.id), { what: 'b typing' });
    expect(ca.events.typing.at(-1)).toEqual([
      { type: 'typing', conversationId: direct.id, userId: b.id, state: 'started' },
    ]);
    expect(ca.events.conversation.some(([v]) => v.conversation.id === direct.id && v.typing.includes(b.id))).toBe(true);
    cb.client.typing(direct.id, 'stopped');
    await eventually(() => ca.client.conversation(direct.id)!.typing.length === 0, { what: 'b stopped' });

    cb.client.typing(direct.id, 'started');
    await eventually(() => ca.client.conversation(direct.id)!.typing.includes(b.id));
    const shownAt = Date.now();
    await eventually(() => ca.client.conversation(direct.id)!.typing.length === 0, {
      what: 'the typing entry to expire',
      timeoutMs: TYPING_EXPIRY_MS + 4_000,
    });
    expect(Date.now() - shownAt).toBeGreaterThanOrEqual(TYPING_EXPIRY_MS - 500);
  });

  it('presence: subscribing answers the current status and later changes arrive as events', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    await host.direct(a, b);
    const ca = await libraryClient(host, a);
    expect(await ca.client.subscribePresence([b.id])).toEqual([{ userId: b.id, status: 'offline', lastSeenAt: null }]);
    expect(ca.client.presenceOf(b.id)).toEqual({ status: 'offline', lastSeenAt: null });
    // Followed already: answered from what is known, without asking the host again.
    expect(await ca.client.subscribePresence([b.id, b.id])).toEqual([
      { userId: b.id, status: 'offline', lastSeenAt: null },
    ]);
    expect(ca.wire.out.filter((f) => f.type === 'presence.subscribe')).toEqual([
      { type: 'presence.subscribe', id: expect.any(String), userIds: [b.id] },
    ]);
    const cb = await libraryClient(host, b);
    await eventually(() => ca.client.presenceOf(b.id)?.status === 'online', { what: 'b online' });
    expect(ca.events.presence.at(-1)![0]).toMatchObject({ type: 'presence', userId: b.id, status: 'online' });
    cb.client.close();
    await eventually(() => ca.client.presenceOf(b.id)?.status === 'offline', { what: 'b offline' });
    expect(ca.client.presenceOf(b.id)!.lastSeenAt).toEqual(expect.any(String));
  });
});

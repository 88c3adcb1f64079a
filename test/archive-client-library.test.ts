/**
 * Archiving through the client library, on two devices of one user: `archive()` answers the view
 * archived, the other device learns it from the host's frame, a message that arrives leaves it
 * archived (and counts), a mute keeps it, and unarchiving reaches the other device too. Its
 * HttpApi lists one side a page at a time.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { libraryClient, libraryTestHost } from './support/client-library.js';

describe('client library: archiving on two devices', () => {
  const host = libraryTestHost();

  it('archives on one device, the other follows; messages and mutes leave it archived; unarchiving too', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.createGroup(a, [b]);
    const [phone, laptop, cb] = await Promise.all([
      libraryClient(host, a),
      libraryClient(host, a),
      libraryClient(host, b),
    ]);
    const onLaptop = () => laptop.client.conversation(conv.id)!;
    expect(onLaptop().archivedAt).toBeNull();

    const view = await phone.client.archive(conv.id, true);
    const at = view.archivedAt!;
    expect(Date.parse(at)).toBeGreaterThan(0);
    expect(view.conversation.archivedAt).toBe(at);
    await eventually(() => onLaptop().archivedAt === at, { what: 'the laptop to learn the archive' });
    expect(onLaptop().conversation.archivedAt).toBe(at);
    expect(laptop.events.conversation.some(([v]) => v.conversation.id === conv.id && v.archivedAt === at)).toBe(true);

    await cb.client.send(conv.id, 'still there?').sent;
    await eventually(() => onLaptop().unreadCount === 1, { what: 'the message to count' });
    expect(onLaptop().archivedAt).toBe(at);
    expect((await phone.client.mute(conv.id, 'forever')).archivedAt).toBe(at);
    await laptop.client.refreshConversations();
    expect(onLaptop()).toMatchObject({ archivedAt: at, unreadCount: 1 });
    expect(cb.client.conversation(conv.id)!.archivedAt).toBeNull();

    expect((await laptop.client.archive(conv.id, false)).archivedAt).toBeNull();
    await eventually(() => phone.client.conversation(conv.id)!.archivedAt === null, { what: 'the phone to unarchive' });
    // The mute is its own setting: unarchiving leaves it.
    expect(phone.client.conversation(conv.id)!.mutedUntil).toBe('9999-12-31T23:59:59.999Z');
  });

  it('lists archived conversations apart, a page at a time', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const groups = [];
    for (let i = 0; i < 3; i++) groups.push(await host.createGroup(a, [b], `Group ${i}`));
    const { client } = await libraryClient(host, a);
    for (const g of groups.slice(1)) await client.archive(g.id, true);

    const first = await client.http.conversationPage({ archived: true, limit: 1 });
    expect(first.conversations).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const second = await client.http.conversationPage({ archived: true, limit: 1, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    const archived = [...first.conversations, ...second.conversations].map((c) => c.id).sort();
    expect(archived).toEqual([groups[1].id, groups[2].id].sort());
    const others = await client.http.conversationPage({ archived: false });
    expect(others).toEqual({ conversations: [expect.objectContaining({ id: groups[0].id })], nextCursor: null });
    expect((await client.http.conversations()).map((c) => c.id).sort()).toEqual(groups.map((g) => g.id).sort());
  });
});

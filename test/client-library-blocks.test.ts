/**
 * The client library's `client.blocks`: whom I block, read at each connection, changed by my calls
 * and followed by my other devices; a send the host refuses for a block fails with `blocked`; and
 * the live mention counts leave out those I block, as the host's do.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { conversationOn } from './support/messaging-helpers.js';
import { clientRefusal, directPair, libraryClient, libraryTestHost } from './support/client-library.js';

describe('client library: blocking people', () => {
  const host = libraryTestHost();

  it('blocks and unblocks, lists, and my other devices follow; sends both ways fail with blocked', async () => {
    const { a, b, direct, ca, cb } = await directPair(host);
    const blocked = await ca.client.blocks.block(b.id);
    expect(blocked).toEqual({ userId: b.id, blockedAt: expect.any(String) });
    expect(ca.client.blocks.has(b.id)).toBe(true);
    expect(ca.client.blocks.list()).toEqual([blocked]);
    expect(ca.events.blocks.at(-1)).toEqual([[blocked]]);

    // A device connecting later reads the list; one already connected hears of each change.
    const phone = await libraryClient(host, a);
    expect(phone.client.blocks.list()).toEqual([blocked]);
    const c = await host.createUser();
    const second = await ca.client.blocks.block(c.id);
    await eventually(() => phone.client.blocks.has(c.id), { what: 'the phone hears of the block' });
    expect(phone.client.blocks.list()).toEqual([second, blocked]);

    expect((await clientRefusal(ca.client.send(direct.id, 'hi').sent)).code).toBe('blocked');
    const refused = await clientRefusal(cb.client.send(direct.id, 'hello?').sent);
    expect(refused.code).toBe('blocked');
    expect(refused.message).not.toMatch(/block/i);
    // b learns nothing else: no list, no frame.
    expect(cb.client.blocks.list()).toEqual([]);
    expect(cb.wire.in.filter((f) => f.type === 'user.block')).toEqual([]);

    await ca.client.blocks.unblock(b.id);
    expect(ca.client.blocks.has(b.id)).toBe(false);
    await eventually(() => !phone.client.blocks.has(b.id), { what: 'the phone hears of the unblock' });
    await cb.client.send(direct.id, 'hello again').sent;
  });

  it('does not count mentions from someone I block, live or listed, and counts them again once unblocked', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const group = await host.createGroup(b, [a, c]);
    const [ca, cb, cc] = await Promise.all([libraryClient(host, a), libraryClient(host, b), libraryClient(host, c)]);
    await ca.client.blocks.block(b.id);
    const view = () => ca.client.conversation(group.id)!;
    const start = view().unreadCount;

    await cb.client.send(group.id, `@${a.handle} did you see?`).sent;
    await cb.client.send(group.id, '@all lunch').sent;
    await eventually(() => view().unreadCount === start + 2, { what: 'both unread' });
    expect(view().mentionCount).toBe(0);
    await cc.client.send(group.id, `@${a.handle} look`).sent;
    await eventually(() => view().unreadCount === start + 3, { what: 'c counted' });
    expect(view().mentionCount).toBe(1);
    expect((await conversationOn(host, group.id, a)).mentionCount).toBe(1);

    await ca.client.blocks.unblock(b.id);
    await eventually(() => view().mentionCount === 3, { what: 'counted again once unblocked' });
  });
});

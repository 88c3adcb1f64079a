/**
 * What a block stops besides sends (docs/protocol.md, "Blocking people"): in the pair's direct
 * conversation, reactions, pins and unpins are refused with `blocked` both ways (taking back one's
 * own reaction, editing and deleting one's own messages stay possible); typing and the other's
 * read receipts are not relayed there (the reader's own devices still get theirs); and the two
 * see each other offline, with no last seen, wherever they would follow each other's presence.
 * Each "nothing arrives" is checked behind a frame that does arrive after it (another
 * conversation, another user), so no check passes by arriving too early.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online, refusal, settle } from './support/protocol-helpers.js';
import { op, pairOn, send } from './support/messaging-helpers.js';
import type { TestClient } from './support/test-client.js';

describe('what a block stops besides sends', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const block = async (by: TestUser, who: string) =>
    expect((await host.http('PUT', `/v1/me/blocks/${who}`, { token: by.token })).status).toBe(200);
  const unblock = async (by: TestUser, who: string) =>
    expect((await host.http('DELETE', `/v1/me/blocks/${who}`, { token: by.token })).status).toBe(204);
  const text = (c: TestClient, conversationId: string, words: string) =>
    send(c, conversationId, { type: 'text', text: words });
  const react = (c: TestClient, conversationId: string, messageId: string, how: 'add' | 'remove') =>
    op(c, 'react', conversationId, messageId, { emoji: '👍', op: how });
  const typing = (c: TestClient, conversationId: string) =>
    c.sendRaw({ type: 'typing', conversationId, state: 'started' });
  const presenceOf = (c: TestClient, userId: string) =>
    c.frames.filter((f) => f.type === 'presence' && f.userId === userId);

  it('refuses reactions, pins and unpins both ways, lets each take back their own words, and allows all again after unblocking', async () => {
    const { a, b, conv, ca, cb } = await pairOn(host);
    const fromA = (await text(ca, conv.id, 'see you at 8')).message;
    const fromB = (await text(cb, conv.id, 'ok')).message;
    await react(ca, conv.id, fromB.id, 'add');
    await op(cb, 'pin', conv.id, fromA.id);

    await block(a, b.id);
    for (const [c, blocker] of [
      [ca, true],
      [cb, false],
    ] as const) {
      for (const attempt of [
        react(c, conv.id, fromA.id, 'add'),
        op(c, 'pin', conv.id, fromB.id),
        op(c, 'unpin', conv.id, fromA.id),
      ]) {
        const error = await refusal(attempt);
        expect(error.code).toBe('blocked');
        // The one who blocked is told how to act again; the other is not told who did it.
        if (blocker) expect(error.message).toMatch(/you blocked.*unblock/i);
        else expect(error.message).not.toMatch(/block/i);
      }
    }
    const overHttp = await host.http('PUT', `/v1/conversations/${conv.id}/pins/${fromB.id}`, {
      token: b.token,
    });
    expect(overHttp.status).toBe(403);
    expect(overHttp.body.error.code).toBe('blocked');
    const pins = await ca.request<{ pins: { message: { id: string } }[] }>({ type: 'pins', conversationId: conv.id });
    expect(pins.pins.map((p) => p.message.id)).toEqual([fromA.id]);

    // Taking back what one said stays possible: one's own reaction, edit, delete.
    const taken = await react(ca, conv.id, fromB.id, 'remove');
    expect(taken.message.reactions).toEqual([]);
    const edited = await op(ca, 'edit', conv.id, fromA.id, { content: { type: 'text', text: 'never mind' } });
    expect(edited.message.content).toEqual({ type: 'text', text: 'never mind' });
    expect((await op(cb, 'delete', conv.id, fromB.id)).message.deletedAt).toEqual(expect.any(String));

    await unblock(a, b.id);
    expect((await react(cb, conv.id, fromA.id, 'add')).message.reactions).toEqual([
      expect.objectContaining({ emoji: '👍', userIds: [b.id] }),
    ]);
    await react(ca, conv.id, fromA.id, 'add');
    await op(ca, 'unpin', conv.id, fromA.id);
    expect((await cb.request({ type: 'pin', conversationId: conv.id, messageId: fromA.id })).pin).toMatchObject({
      pinnedBy: b.id,
    });
  });

  it('does not relay typing across a block, while typing elsewhere and after unblocking arrives', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const group = await host.createGroup(a, [b]);
    const [ca, cb] = await Promise.all([online(host, a), online(host, b)]);
    const typingIn = (c: TestClient, conversationId: string) =>
      c.frames.filter((f) => f.type === 'typing' && f.conversationId === conversationId);

    await block(b, a.id);
    for (const [typist, other] of [
      [ca, cb],
      [cb, ca],
    ]) {
      typing(typist!, direct.id);
      typing(typist!, group.id);
      // The group's frame, sent after, arrives: the direct conversation's was not held back by chance.
      await other!.waitFor((f) => f.type === 'typing' && f.conversationId === group.id);
      await settle(typist!, other!);
      expect(typingIn(other!, direct.id)).toEqual([]);
    }

    await unblock(b, a.id);
    typing(ca, direct.id);
    expect(await cb.waitFor((f) => f.type === 'typing' && f.conversationId === direct.id)).toMatchObject({
      userId: a.id,
      state: 'started',
    });
  });

  it("stores a read across a block and tells the reader's own devices, not the other person", async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const group = await host.createGroup(a, [b]);
    const [ca, cb, bPhone] = await Promise.all([online(host, a), online(host, b), online(host, b)]);
    const inDirect = (await text(ca, direct.id, 'are you there?')).message;
    const inGroup = (await text(ca, group.id, 'hello all')).message;

    await block(a, b.id);
    const own = bPhone.waitFor((f) => f.type === 'receipt' && f.conversationId === direct.id);
    expect(await cb.request({ type: 'read', conversationId: direct.id, seq: inDirect.seq })).toEqual({
      conversationId: direct.id,
      seq: inDirect.seq,
    });
    expect(await own).toEqual({ type: 'receipt', conversationId: direct.id, userId: b.id, seq: inDirect.seq });
    const members = await host.http('GET', `/v1/conversations/${direct.id}/members`, { token: b.token });
    expect(members.body.members).toContainEqual(expect.objectContaining({ userId: b.id, readSeq: inDirect.seq }));
    // A read after it, in a conversation the block leaves open, reaches a.
    await cb.request({ type: 'read', conversationId: group.id, seq: inGroup.seq });
    await ca.collect((f) => f.type === 'receipt' && f.conversationId === group.id, 1);
    await settle(ca, cb);
    expect(ca.frames.filter((f) => f.type === 'receipt' && f.conversationId === direct.id)).toEqual([]);

    await unblock(a, b.id);
    const later = (await text(ca, direct.id, 'hello again')).message;
    await cb.request({ type: 'read', conversationId: direct.id, seq: later.seq });
    expect(await ca.collect((f) => f.type === 'receipt' && f.conversationId === direct.id, 1)).toEqual([
      { type: 'receipt', conversationId: direct.id, userId: b.id, seq: later.seq },
    ]);
  });

  it('shows two people in a block to each other as offline with no last seen, both ways, until unblocked', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    await Promise.all([host.direct(a, b), host.direct(a, c), host.createGroup(b, [a])]);
    const ca = await online(host, a);
    await ca.request({ type: 'presence.subscribe', userIds: [b.id, c.id] });
    let cb = await online(host, b);
    await ca.collect((f) => f.type === 'presence' && f.userId === b.id && f.status === 'online', 1);

    // Following before the block: b turns offline, with no last seen, at once.
    const hidden = ca.waitFor((f) => f.type === 'presence' && f.userId === b.id && f.status === 'offline');
    await block(a, b.id);
    expect(await hidden).toEqual({ type: 'presence', userId: b.id, status: 'offline', lastSeenAt: null });
    const seenOfB = presenceOf(ca, b.id).length;
    await cb.close();
    cb = await online(host, b);
    // c comes online after b came back: c's frame arrives, b's never did.
    await online(host, c);
    await ca.collect((f) => f.type === 'presence' && f.userId === c.id && f.status === 'online', 1);
    await settle(ca);
    expect(presenceOf(ca, b.id)).toHaveLength(seenOfB);

    // Subscribing during the block, either way, shows the other offline, never seen.
    const ofB = await ca.request({ type: 'presence.subscribe', userIds: [b.id, c.id] });
    expect(ofB.presence).toEqual([
      { userId: b.id, status: 'offline', lastSeenAt: null },
      { userId: c.id, status: 'online', lastSeenAt: null },
    ]);
    const ofA = await cb.request({ type: 'presence.subscribe', userIds: [a.id] });
    expect(ofA.presence).toEqual([{ userId: a.id, status: 'offline', lastSeenAt: null }]);

    // Unblocking shows each as they are again, and their changes follow.
    const backOfB = ca.waitFor((f) => f.type === 'presence' && f.userId === b.id && f.status === 'online');
    const backOfA = cb.waitFor((f) => f.type === 'presence' && f.userId === a.id && f.status === 'online');
    await unblock(a, b.id);
    await Promise.all([backOfB, backOfA]);
    await cb.close();
    await ca.collect((f) => f.type === 'presence' && f.userId === b.id && f.status === 'offline' && f.lastSeenAt, 1);
  });
});

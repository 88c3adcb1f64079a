/**
 * The client library (sdk/client) against a real host: sending through the outbox, receiving as
 * events, edits, reactions and deletes in the cache, paging history, and refusals.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../sdk/protocol/message.js';
import { fullHistory } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import {
  clientRefusal,
  directPair,
  libraryClient,
  libraryTestHost,
  messageEvents,
  settleClient,
} from './support/client-library.js';

describe('client library: messaging', () => {
  const host = libraryTestHost();

  it('sends through the outbox; the other client gets it once as a message event and both caches hold it', async () => {
    const { a, direct, ca, cb } = await directPair(host);
    expect(ca.client.user?.id).toBe(a.id);
    expect(ca.client.state).toBe('online');
    expect(ca.client.conversations().map((v) => v.conversation.id)).toEqual([direct.id]);

    const { clientMsgId, sent } = ca.client.send(direct.id, 'hello');
    expect(ca.client.pending(direct.id)).toMatchObject([{ clientMsgId, content: { type: 'text', text: 'hello' } }]);
    const message = await sent;
    expect(message).toMatchObject({ clientMsgId, senderId: a.id, seq: 1, content: { type: 'text', text: 'hello' } });
    expect(ca.client.pending(direct.id)).toEqual([]);
    expect(ca.events.pending.at(-1)).toEqual([direct.id, []]);

    await eventually(() => messageEvents(cb, message.id).length === 1, { what: 'the message at b' });
    expect(cb.client.messages(direct.id).map((m) => m.id)).toEqual([message.id]);
    expect(cb.client.conversation(direct.id)).toMatchObject({ lastMessage: { id: message.id }, unreadCount: 1 });
    expect(ca.client.conversation(direct.id)).toMatchObject({ lastMessage: { id: message.id }, unreadCount: 0 });

    await Promise.all([settleClient(ca, direct.id), settleClient(cb, direct.id)]);
    expect(messageEvents(ca, message.id)).toHaveLength(1);
    expect(messageEvents(cb, message.id)).toHaveLength(1);
    expect(ca.wire.out.filter((f) => f.type === 'send')).toEqual([
      { type: 'send', id: expect.any(String), conversationId: direct.id, clientMsgId, content: message.content },
    ]);
  });

  it('never shows my message twice: when its echo comes before the answer to the send, it has left the outbox', async () => {
    const { direct, ca } = await directPair(host);
    // At each message event for my own messages, nothing of them may still be pending.
    const twice: string[] = [];
    ca.client.on('message', () => {
      const pending = new Set(ca.client.pending(direct.id).map((p) => p.clientMsgId));
      for (const m of ca.client.messages(direct.id)) if (m.clientMsgId && pending.has(m.clientMsgId)) twice.push(m.id);
    });
    const sends = Array.from({ length: 20 }, (_, i) => ca.client.send(direct.id, `burst ${i}`).sent);
    const messages = await Promise.all(sends);
    expect(twice).toEqual([]);
    expect(ca.client.pending(direct.id)).toEqual([]);
    expect(ca.client.messages(direct.id).map((m) => m.id)).toEqual(messages.map((m) => m.id));
  });

  it('a conversation I am added to while online is fetched, listed, and its first message announced', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const cb = await libraryClient(host, b);
    const group = await host.createGroup(a, [b], 'Lunch');
    await eventually(() => cb.client.conversation(group.id), { what: 'the group in b’s cache' });
    expect(cb.client.conversation(group.id)!.conversation).toMatchObject({ title: 'Lunch', kind: 'group' });
    expect(cb.events.conversations.some(([views]) => views.some((v) => v.conversation.id === group.id))).toBe(true);
    await eventually(() => cb.events.message.some(([e]) => e.conversationId === group.id && e.change === 'created'));
    expect(cb.client.messages(group.id)[0]!.content).toMatchObject({ type: 'system.conversation_created' });
  });

  it("another member's rename and member changes reach the cache: the 'conversation' event carries them", async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const group = await host.createGroup(a, [b], 'Before');
    const cb = await libraryClient(host, b);
    expect(cb.client.conversation(group.id)!.conversation).toMatchObject({ title: 'Before', memberCount: 2 });
    const renamed = await host.http('PATCH', `/v1/conversations/${group.id}`, {
      token: a.token,
      body: { title: 'After' },
    });
    expect(renamed.status).toBe(200);
    const titled = (title: string, memberCount: number) =>
      cb.events.conversation.some(
        ([v]) =>
          v.conversation.id === group.id &&
          v.conversation.title === title &&
          v.conversation.memberCount === memberCount,
      );
    await eventually(() => titled('After', 2), { what: "the new title in b's conversation event" });
    const added = await host.http('POST', `/v1/conversations/${group.id}/members`, {
      token: a.token,
      body: { userIds: [c.id] },
    });
    expect(added.status).toBe(200);
    await eventually(() => titled('After', 3), { what: "the new member count in b's conversation event" });
    const removed = await host.http('DELETE', `/v1/conversations/${group.id}/members/${c.id}`, { token: a.token });
    expect(removed.status).toBe(204);
    await eventually(() => cb.client.conversation(group.id)!.conversation.memberCount === 2, { what: 'c removed' });
  });

  it('edit, react and delete answer with the message and update both caches and the last message', async () => {
    const { b, direct, ca, cb } = await directPair(host);
    const m = await ca.client.send(direct.id, 'first draft').sent;
    await eventually(() => messageEvents(cb, m.id).length === 1);

    const edited = await ca.client.edit(direct.id, m.id, 'final text');
    expect(edited).toMatchObject({ id: m.id, content: { text: 'final text' }, editedAt: expect.any(String) });
    expect(ca.client.messages(direct.id)).toEqual([edited]);
    await eventually(() => messageEvents(cb, m.id, 'edited').length === 1, { what: 'the edit at b' });
    expect(cb.client.messages(direct.id)).toEqual([edited]);
    expect(cb.client.conversation(direct.id)!.lastMessage).toEqual(edited);

    const reacted = await cb.client.react(direct.id, m.id, '👍', 'add');
    expect(reacted.reactions).toEqual([{ emoji: '👍', userIds: [b.id] }]);
    await eventually(() => messageEvents(ca, m.id, 'reaction').length === 1, { what: 'the reaction at a' });
    expect(ca.client.messages(direct.id)[0]!.reactions).toEqual([{ emoji: '👍', userIds: [b.id] }]);

    const tombstone = await ca.client.delete(direct.id, m.id);
    expect(tombstone).toMatchObject({ id: m.id, content: null, reactions: [], deletedAt: expect.any(String) });
    await eventually(() => messageEvents(cb, m.id, 'deleted').length === 1, { what: 'the delete at b' });
    for (const c of [ca, cb]) {
      expect(c.client.messages(direct.id)).toEqual([tombstone]);
      expect(c.client.conversation(direct.id)!.lastMessage).toEqual(tombstone);
    }
    // Deleted, the message no longer counts as unread.
    expect(cb.client.conversation(direct.id)!.unreadCount).toBe(0);
  });

  it('loadOlder pages history into the cache: latest page first, then older, each id once in seq order', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    for (let i = 1; i <= 7; i++) {
      const res = await host.http('POST', `/v1/conversations/${direct.id}/messages`, {
        token: a.token,
        body: { clientMsgId: `m${i}`, content: { type: 'text', text: `m${i}` } },
      });
      expect(res.status).toBe(201);
    }
    const cb = await libraryClient(host, b);
    expect(cb.client.messages(direct.id)).toEqual([]);
    expect(cb.client.hasOlder(direct.id)).toBe(true);

    expect((await cb.client.loadOlder(direct.id, 3)).map((m) => m.seq)).toEqual([5, 6, 7]);
    expect(cb.client.hasOlder(direct.id)).toBe(true);
    expect((await cb.client.loadOlder(direct.id, 3)).map((m) => m.seq)).toEqual([2, 3, 4]);
    expect((await cb.client.loadOlder(direct.id, 3)).map((m) => m.seq)).toEqual([1]);
    expect(cb.client.hasOlder(direct.id)).toBe(false);

    const live = await (await libraryClient(host, a)).client.send(direct.id, 'm8').sent;
    await eventually(() => messageEvents(cb, live.id).length === 1);
    expect(cb.client.messages(direct.id).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(cb.client.conversation(direct.id)!.unreadCount).toBe(8);
  });

  it('a change to a message older than the cached ones leaves no gap: the page that holds it brings it', async () => {
    const { a, direct, ca, cb } = await directPair(host);
    const sent: Message[] = [];
    for (const text of ['m1', 'm2', 'm3', 'm4']) sent.push(await ca.client.send(direct.id, text).sent);
    await eventually(() => cb.client.messages(direct.id).length === 4);
    const late = await libraryClient(host, a);
    expect((await late.client.loadOlder(direct.id, 2)).map((m) => m.seq)).toEqual([3, 4]);

    await cb.client.react(direct.id, sent[0]!.id, '👀', 'add');
    const edited = await ca.client.edit(direct.id, sent[0]!.id, 'm1, edited');
    await eventually(() => late.client.conversation(direct.id)!.conversation.lastPts === edited.pts);
    expect(late.client.messages(direct.id).map((m) => m.seq)).toEqual([3, 4]);
    expect(late.events.message.filter(([e]) => e.message.id === sent[0]!.id)).toEqual([]);

    await late.client.loadOlder(direct.id, 2);
    expect(late.client.messages(direct.id)).toEqual([edited, ...sent.slice(1)]);
    expect(edited.reactions).toEqual([{ emoji: '👀', userIds: [cb.client.user!.id] }]);
  });

  it('a send refused for good is failed with its code and kept until retried or discarded', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const theirs = await host.direct(b, c);
    const ca = await libraryClient(host, a);
    const { clientMsgId, sent } = ca.client.send(theirs.id, 'let me in');
    const error = await clientRefusal(sent);
    expect(error).toMatchObject({ code: 'conversation_not_found' });
    expect(ca.client.pending(theirs.id)).toMatchObject([
      { clientMsgId, state: 'failed', attempts: 1, error: { code: 'conversation_not_found' } },
    ]);

    ca.client.retry(clientMsgId);
    await eventually(() => ca.client.pending(theirs.id)[0]?.attempts === 2 && ca.client.pending(theirs.id)[0]);
    await eventually(() => ca.client.pending(theirs.id)[0]!.state === 'failed');
    ca.client.discard(clientMsgId);
    expect(ca.client.pending(theirs.id)).toEqual([]);
    expect(await fullHistory(host.url, b.token, theirs.id)).toEqual([]);
  });

  it('requests other than send reject with offline before connecting; a send waits in the outbox', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const ca = await libraryClient(host, a, { connect: false });
    expect(ca.client.state).toBe('idle');
    expect(await clientRefusal(ca.client.history(direct.id))).toMatchObject({ code: 'offline' });
    expect(await clientRefusal(ca.client.markRead(direct.id, 1))).toMatchObject({ code: 'offline' });

    const { sent } = ca.client.send(direct.id, 'written before connecting');
    expect(ca.client.pending(direct.id)).toMatchObject([{ state: 'queued', attempts: 0 }]);
    await ca.client.connect();
    expect(await sent).toMatchObject({ senderId: a.id, content: { text: 'written before connecting' } });
    expect(ca.events.state.flat()).toEqual(['connecting', 'online']);
  });

  it('a refused edit rejects with the catalog code; the cache keeps the message as it was', async () => {
    const { direct, ca, cb } = await directPair(host);
    const m = await ca.client.send(direct.id, 'mine').sent;
    await eventually(() => messageEvents(cb, m.id).length === 1);
    const error = await clientRefusal(cb.client.edit(direct.id, m.id, 'not yours'));
    expect(error).toMatchObject({ code: 'forbidden', message: expect.any(String) });
    expect(cb.client.messages(direct.id)).toEqual([m]);
  });
});

/**
 * The client library's store: a new client on the same store renders the cache at once, resumes
 * from the stored positions and sends what the last one left in the outbox; a resume the host
 * answers with resync, not_found or joined.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../sdk/client/index.js';
import { fullHistory } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { libraryClient, libraryTestHost, messageEvents, settleClient } from './support/client-library.js';

const texts = (messages: { content: unknown }[]) => messages.map((m) => (m.content as { text?: string }).text);

describe('client library: the store and resume', () => {
  const host = libraryTestHost({ config: { websocket: { resumeLimit: 3 } } });

  it('a new client on the same store shows the cache before connecting and resumes with only the missed changes', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const group = await host.createGroup(b, [a], 'Stored');
    const store = memoryStore();
    const [first, cb] = await Promise.all([libraryClient(host, a, { store }), libraryClient(host, b)]);
    await first.client.loadOlder(group.id);
    const seen = [await cb.client.send(group.id, 'one').sent, await cb.client.send(group.id, 'two').sent];
    await eventually(() => seen.every((m) => messageEvents(first, m.id).length === 1));
    const position = Math.max(...first.wire.in.filter((f) => f.type === 'message.created').map((f) => f.pts));
    first.client.close();

    const missed = await cb.client.send(group.id, 'three').sent;
    await cb.client.react(group.id, seen[0]!.id, '🎉', 'add');

    const second = await libraryClient(host, a, { store, connect: false });
    expect(second.client.user?.id).toBe(a.id);
    expect(second.client.conversations().map((v) => v.conversation.id)).toEqual([group.id]);
    expect(texts(second.client.messages(group.id))).toEqual([undefined, 'one', 'two']);
    expect(second.client.conversation(group.id)).toMatchObject({ unreadCount: 3, lastMessage: { id: seen[1]!.id } });

    await second.client.connect();
    expect(second.wire.out.find((f) => f.type === 'resume')).toMatchObject({
      conversations: [{ conversationId: group.id, pts: position }],
    });
    await eventually(() => messageEvents(second, missed.id).length === 1, { what: 'the missed message' });
    await eventually(() => messageEvents(second, seen[0]!.id, 'reaction').length === 1, { what: 'the reaction' });
    await settleClient(second, group.id);
    // Only what was missed came: nothing already stored was announced or sent again.
    expect(second.events.message.map(([e]) => [e.message.id, e.change])).toEqual([
      [missed.id, 'created'],
      [seen[0]!.id, 'reaction'],
    ]);
    expect(second.wire.in.filter((f) => f.type === 'message.created').map((f) => f.message.id)).toEqual([missed.id]);
    expect(texts(second.client.messages(group.id))).toEqual([undefined, 'one', 'two', 'three']);
    expect(second.client.messages(group.id)[1]!.reactions).toEqual([{ emoji: '🎉', userIds: [b.id] }]);
    expect(second.client.conversation(group.id)!.unreadCount).toBe(4);
  });

  it('sends left in the outbox are sent, in order and once, by the next client on the store', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const store = memoryStore();
    const first = await libraryClient(host, a, { store });
    first.client.close();
    const queued = [first.client.send(direct.id, 'queued 1'), first.client.send(direct.id, 'queued 2')];

    const second = await libraryClient(host, a, { store, connect: false });
    expect(second.client.pending(direct.id).map((p) => [p.clientMsgId, p.state])).toEqual(
      queued.map((q) => [q.clientMsgId, 'queued']),
    );
    await second.client.connect();
    await eventually(() => second.client.pending(direct.id).length === 0, { what: 'the outbox to drain' });
    expect((await fullHistory(host.url, b.token, direct.id)).map((m) => [m.clientMsgId, m.content.text])).toEqual([
      [queued[0]!.clientMsgId, 'queued 1'],
      [queued[1]!.clientMsgId, 'queued 2'],
    ]);
  });

  it("two tabs sharing one store keep each other's unsent messages; the next client sends both, once", async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const store = memoryStore();
    const [left, right] = await Promise.all([libraryClient(host, a, { store }), libraryClient(host, a, { store })]);
    left.client.close();
    right.client.close();
    // Each tab writes its outbox after the other's: neither may drop the other's send.
    const fromLeft = left.client.send(direct.id, 'from the left tab');
    const fromRight = right.client.send(direct.id, 'from the right tab');
    const fromLeftAgain = left.client.send(direct.id, 'left again');

    const next = await libraryClient(host, a, { store, connect: false });
    expect(new Set(next.client.pending(direct.id).map((p) => p.clientMsgId))).toEqual(
      new Set([fromLeft.clientMsgId, fromRight.clientMsgId, fromLeftAgain.clientMsgId]),
    );
    await next.client.connect();
    await eventually(() => next.client.pending(direct.id).length === 0, { what: 'the outbox to drain' });
    const history = await fullHistory(host.url, b.token, direct.id);
    expect(history.map((m) => m.content.text).sort()).toEqual(
      ['from the left tab', 'from the right tab', 'left again'].sort(),
    );
    // The left tab's two stay in the order it queued them.
    const texts = history.map((m) => m.content.text);
    expect(texts.indexOf('from the left tab')).toBeLessThan(texts.indexOf('left again'));
  });

  it("another user connecting with the store never sends the first user's queued messages", async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const group = await host.createGroup(a, [b]);
    const store = memoryStore();
    const asA = await libraryClient(host, a, { store });
    asA.client.close();
    const queued = asA.client.send(group.id, 'from a');

    const asB = await libraryClient(host, b, { store });
    expect(asB.client.user?.id).toBe(b.id);
    expect(asB.client.pending(group.id)).toEqual([]);
    await settleClient(asB, group.id);
    expect(asB.wire.out.filter((f) => f.type === 'send')).toEqual([]);
    asB.client.close();

    const againA = await libraryClient(host, a, { store });
    await eventually(() => againA.client.pending(group.id).length === 0);
    expect((await fullHistory(host.url, b.token, group.id)).at(-1)).toMatchObject({
      senderId: a.id,
      clientMsgId: queued.clientMsgId,
    });
  });

  it('too far behind (resync): the cached messages are reloaded from history, then live changes continue', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const group = await host.createGroup(b, [a]);
    const [ca, cb] = await Promise.all([libraryClient(host, a), libraryClient(host, b)]);
    await ca.client.loadOlder(group.id);
    ca.client.close();
    for (let i = 1; i <= 5; i++) await cb.client.send(group.id, `missed ${i}`).sent;

    await ca.client.connect();
    await eventually(() => ca.events.resync.length === 1, { what: 'the resync event' });
    expect(ca.events.resync).toEqual([[group.id]]);
    expect(ca.wire.in.filter((f) => f.type === 'resync')).toMatchObject([{ conversationId: group.id }]);
    expect(texts(ca.client.messages(group.id))).toEqual([undefined, ...[1, 2, 3, 4, 5].map((i) => `missed ${i}`)]);

    const live = await cb.client.send(group.id, 'after the resync').sent;
    await eventually(() => messageEvents(ca, live.id).length === 1);
    expect(ca.client.messages(group.id).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('a conversation I left the membership of while offline is dropped; one I joined is listed and loads', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const left = await host.createGroup(b, [a], 'Left');
    const ca = await libraryClient(host, a);
    await ca.client.loadOlder(left.id);
    ca.client.close();
    const removed = await host.http('DELETE', `/v1/conversations/${left.id}/members/${a.id}`, { token: b.token });
    expect(removed.status).toBe(204);
    const joined = await host.createGroup(b, [a], 'Joined');
    await host.http('POST', `/v1/conversations/${joined.id}/messages`, {
      token: b.token,
      body: { clientMsgId: 'hello', content: { type: 'text', text: 'welcome' } },
    });

    await ca.client.connect();
    expect(ca.wire.in.findLast((f) => f.type === 'result' && f.data?.joined)?.data).toMatchObject({
      conversations: [{ conversationId: left.id, status: 'not_found' }],
      joined: [{ conversationId: joined.id }],
    });
    await eventually(() => !ca.client.conversation(left.id), { what: 'the left group to be dropped' });
    expect(ca.client.messages(left.id)).toEqual([]);
    expect(ca.client.conversations().map((v) => v.conversation.title)).toEqual(['Joined']);
    expect(texts(await ca.client.loadOlder(joined.id))).toEqual([undefined, 'welcome']);
    const live = await (await libraryClient(host, b)).client.send(joined.id, 'live').sent;
    await eventually(() => messageEvents(ca, live.id).length === 1);
    expect(texts(ca.client.messages(joined.id))).toEqual([undefined, 'welcome', 'live']);
  });
});

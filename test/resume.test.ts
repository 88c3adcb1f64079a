/**
 * Resume: a client that remembers its per-conversation pts reconnects and gets exactly the changes
 * it missed, in pts order, each message once in its latest state; then live events continue seamlessly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import type { Frame, TestClient } from './support/test-client.js';
import { settle, online } from './support/protocol-helpers.js';
import { eventually } from './support/eventually.js';

const isChange = (conversationId: string) => (f: Frame) =>
  (f.type === 'message.created' || f.type === 'message.updated') && f.conversationId === conversationId;

/** Sends `resume` and returns its result together with the frames that arrived before it. */
async function resume(c: TestClient, conversations: { conversationId: string; pts: number }[]) {
  const id = randomUUID();
  const start = c.frames.length;
  const result = await c.request<any>({ type: 'resume', id, conversations });
  const end = c.frames.findIndex((f) => f.type === 'result' && f.replyTo === id);
  return { result, before: c.frames.slice(start, end) };
}

async function conversationOf(host: TestHost, id: string, user: TestUser) {
  const res = await host.http('GET', `/v1/conversations/${id}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

const msgOp = (c: TestClient, type: string, conversationId: string, messageId: string, extra: object) =>
  c.request<{ message: any }>({ type, conversationId, messageId, ...extra });

describe('resume', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function trio() {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const group = await host.createGroup(b, [a, c]);
    const [ca, cb, cc] = await Promise.all([online(host, a), online(host, b), online(host, c)]);
    return { a, b, c, group, ca, cb, cc };
  }

  it('delivers exactly the missed changes in pts order, each message once in its latest state, then caught_up', async () => {
    const { a, b, group, ca, cb, cc } = await trio();
    const old1 = (await cb.sendText(group.id, 'old 1')).message;
    const old2 = (await cb.sendText(group.id, 'old 2')).message;
    const old3 = (await cb.sendText(group.id, 'old 3')).message;
    await ca.collect((f) => isChange(group.id)(f) && f.message.id === old3.id, 1);
    const savedPts = Math.max(...ca.frames.filter(isChange(group.id)).map((f) => f.pts));
    expect(savedPts).toBe((await conversationOf(host, group.id, a)).lastPts);
    await ca.close();

    const n1 = (await cb.sendText(group.id, 'new 1')).message;
    await cb.sendText(group.id, 'new 2');
    await msgOp(cb, 'edit', group.id, old1.id, { content: { type: 'text', text: 'old 1, v2' } });
    await msgOp(cc, 'react', group.id, old2.id, { emoji: '👍', op: 'add' });
    await msgOp(cb, 'edit', group.id, old1.id, { content: { type: 'text', text: 'old 1, v3' } });
    await msgOp(cb, 'edit', group.id, n1.id, { content: { type: 'text', text: 'new 1, edited' } });
    await msgOp(cb, 'delete', group.id, old3.id, {});
    await cb.sendText(group.id, 'new 3');
    const gone = (await cb.sendText(group.id, 'new 4, soon deleted')).message;
    await msgOp(cb, 'delete', group.id, gone.id, {});
    const newcomer = await host.createUser();
    expect(
      (
        await host.http('POST', `/v1/conversations/${group.id}/members`, {
          token: b.token,
          body: { userIds: [newcomer.id] },
        })
      ).status,
    ).toBe(200);

    const back = await host.connect(a.token);
    const { result, before } = await resume(back, [{ conversationId: group.id, pts: savedPts }]);
    const now = await conversationOf(host, group.id, a);
    expect(result.conversations).toEqual([
      { conversationId: group.id, status: 'caught_up', pts: now.lastPts, seq: now.lastSeq },
    ]);

    const events = before.filter(isChange(group.id));
    const pts = events.map((f) => f.pts);
    expect(pts).toEqual([...pts].sort((x, y) => x - y));
    expect(new Set(pts).size).toBe(pts.length);
    expect(pts.every((p) => p > savedPts)).toBe(true);
    expect(pts.at(-1)).toBe(now.lastPts);
    expect(events.map((f) => f.message.id).sort()).toEqual([...new Set(events.map((f) => f.message.id))].sort());

    const latest = (await back.request<{ messages: any[] }>({ type: 'history', conversationId: group.id, limit: 100 }))
      .messages;
    const changed = latest.filter((m) => m.pts > savedPts);
    expect(events.map((f) => f.message)).toEqual([...changed].sort((x, y) => x.pts - y.pts));
    for (const f of events) expect(f.pts).toBe(f.message.pts);

    const byId = new Map(events.map((f) => [f.message.id, f]));
    expect(byId.get(old1.id)).toMatchObject({
      type: 'message.updated',
      change: 'edited',
      message: { content: { text: 'old 1, v3' } },
    });
    expect(byId.get(old2.id)).toMatchObject({ type: 'message.updated', change: 'reaction' });
    expect(byId.get(old3.id)).toMatchObject({ type: 'message.updated', change: 'deleted', message: { content: null } });
    expect(byId.get(n1.id)).toMatchObject({ type: 'message.created', message: { content: { text: 'new 1, edited' } } });
    expect(byId.get(gone.id)).toMatchObject({ type: 'message.created', message: { seq: gone.seq, content: null } });
    const joinedMessage = events.find((f) => f.message.content?.type === 'system.members_added');
    expect(joinedMessage).toMatchObject({
      type: 'message.created',
      message: { content: { body: { userIds: [newcomer.id] } } },
    });
    expect(events.filter((f) => f.type === 'message.created')).toHaveLength(5);

    await settle(back);
    expect(back.frames.filter(isChange(group.id))).toHaveLength(events.length);
  });

  it('resumes several conversations in one request, each in its own pts order', async () => {
    const { a, b, group, ca, cb } = await trio();
    const second = await host.createGroup(b, [a], 'Second');
    const saved = {
      [group.id]: (await conversationOf(host, group.id, a)).lastPts,
      [second.id]: (await conversationOf(host, second.id, a)).lastPts,
    };
    await ca.close();
    for (let i = 0; i < 5; i++) {
      await cb.sendText(group.id, `g ${i}`);
      await cb.sendText(second.id, `s ${i}`);
    }
    const back = await host.connect(a.token);
    const { result, before } = await resume(
      back,
      Object.entries(saved).map(([conversationId, pts]) => ({ conversationId, pts })),
    );
    for (const id of [group.id, second.id]) {
      const now = await conversationOf(host, id, a);
      expect(result.conversations).toContainEqual({
        conversationId: id,
        status: 'caught_up',
        pts: now.lastPts,
        seq: now.lastSeq,
      });
      expect(before.filter(isChange(id)).map((f) => f.pts)).toEqual([1, 2, 3, 4, 5].map((n) => saved[id]! + n));
    }
  });

  it('answers caught_up with no events when nothing was missed', async () => {
    const { a, group, ca } = await trio();
    const now = await conversationOf(host, group.id, a);
    const { result, before } = await resume(ca, [{ conversationId: group.id, pts: now.lastPts }]);
    expect(result.conversations).toEqual([
      { conversationId: group.id, status: 'caught_up', pts: now.lastPts, seq: now.lastSeq },
    ]);
    expect(before.filter(isChange(group.id))).toEqual([]);
  });

  it('lists in `joined` every conversation of mine I did not list, including ones I was added to while offline', async () => {
    const { a, b, c, group, ca, cb } = await trio();
    const savedPts = (await conversationOf(host, group.id, a)).lastPts;
    await ca.close();

    const newGroup = await host.createGroup(b, [a], 'Made while a was away');
    const existing = await host.createGroup(c, [b], 'a joins later');
    const added = await host.http('POST', `/v1/conversations/${existing.id}/members`, {
      token: c.token,
      body: { userIds: [a.id] },
    });
    expect(added.status).toBe(200);
    await cb.sendText(existing.id, 'welcome, a');

    const back = await host.connect(a.token);
    const { result } = await resume(back, [{ conversationId: group.id, pts: savedPts }]);
    const mine = (await host.http('GET', '/v1/conversations', { token: a.token })).body.conversations as any[];
    const expected = mine
      .filter((conv) => conv.id !== group.id)
      .map((conv) => ({ conversationId: conv.id, pts: conv.lastPts, seq: conv.lastSeq }));
    expect(expected.map((j) => j.conversationId)).toEqual(expect.arrayContaining([newGroup.id, existing.id]));
    expect([...result.joined].sort(byId)).toEqual(expected.sort(byId));
    expect(result.joined.map((j: any) => j.conversationId)).not.toContain(group.id);

    const live = back.waitFor((f) => f.type === 'message.created' && f.conversationId === newGroup.id);
    await cb.sendText(newGroup.id, 'live in a joined conversation');
    expect((await live).message.content.text).toBe('live in a joined conversation');
  });

  it('answers not_found for a conversation I am not in, one I was removed from, and a made-up id', async () => {
    const { a, b, group, ca } = await trio();
    const outsider = await host.createUser();
    const foreign = await host.createGroup(b, [outsider], 'not for a');
    const formerly = await host.createGroup(b, [a], 'a gets removed');
    expect(
      (await host.http('DELETE', `/v1/conversations/${formerly.id}/members/${a.id}`, { token: b.token })).status,
    ).toBe(204);
    const cbAgain = await online(host, b);
    await cbAgain.sendText(foreign.id, 'secret');
    await cbAgain.sendText(formerly.id, 'after a left');
    const madeUp = randomUUID();
    const now = await conversationOf(host, group.id, a);

    const { result, before } = await resume(ca, [
      { conversationId: foreign.id, pts: 0 },
      { conversationId: formerly.id, pts: 0 },
      { conversationId: madeUp, pts: 0 },
      { conversationId: group.id, pts: now.lastPts },
    ]);
    expect([...result.conversations].sort(byId)).toEqual(
      [
        { conversationId: foreign.id, status: 'not_found' },
        { conversationId: formerly.id, status: 'not_found' },
        { conversationId: madeUp, status: 'not_found' },
        { conversationId: group.id, status: 'caught_up', pts: now.lastPts, seq: now.lastSeq },
      ].sort(byId),
    );
    expect(before.filter((f) => [foreign.id, formerly.id, madeUp].includes(f.conversationId))).toEqual([]);
  });

  it('merges live messages sent during the resume into one contiguous stream without duplicates or gaps', async () => {
    const { a, b, group, ca, cb, cc } = await trio();
    const savedPts = (await conversationOf(host, group.id, a)).lastPts;
    await ca.close();
    // A long backlog keeps the catch-up busy while the live messages below arrive.
    const missed = 1200;
    const senders = await Promise.all(Array.from({ length: 8 }, () => online(host, b)));
    await Promise.all(
      senders.flatMap((s, si) =>
        Array.from({ length: missed / 8 }, (_, i) => s.sendText(group.id, `missed ${si}.${i}`)),
      ),
    );

    // Two senders stream live messages, one after another: some before the resume frame, the
    // rest while the backlog is replayed and after it.
    let acked = 0;
    const stream = async (c: TestClient, name: string) => {
      const acks = [];
      for (let i = 0; i < 20; i++) {
        acks.push(await c.sendText(group.id, `live ${name} ${i}`));
        acked++;
      }
      return acks;
    };
    const back = await host.connect(a.token);
    const streaming = Promise.all([stream(cb, 'b'), stream(cc, 'c')]);
    await eventually(() => acked >= 6, { intervalMs: 2, what: 'six live sends acknowledged' });
    const resumed = resume(back, [{ conversationId: group.id, pts: savedPts }]);
    const live = (await streaming).flat();
    const { result } = await resumed;
    expect(result.conversations[0]).toMatchObject({ conversationId: group.id, status: 'caught_up' });
    const finalPts = Math.max(...live.map((r) => r.message.pts));
    expect(finalPts).toBe(savedPts + missed + 40);

    await back.collect((f) => isChange(group.id)(f) && f.pts === finalPts, 1);
    await settle(back);
    const pts = back.frames.filter(isChange(group.id)).map((f) => f.pts);
    expect(pts).toEqual(Array.from({ length: missed + 40 }, (_, i) => savedPts + 1 + i));
  }, 60_000);

  it('leaves a client that upserts every frame in exactly the stored state when edits and reactions race with the resume', async () => {
    const { a, group, ca, cb, cc } = await trio();
    const older = await Promise.all([1, 2, 3, 4, 5].map((i) => cb.sendText(group.id, `older ${i}`)));
    await ca.collect((f) => isChange(group.id)(f) && f.message.id === older[4]!.message.id, 1);
    const savedPts = Math.max(...ca.frames.filter(isChange(group.id)).map((f) => f.pts));
    await ca.close();
    for (const [i, { message }] of older.entries()) {
      await msgOp(cb, 'edit', group.id, message.id, { content: { type: 'text', text: `older ${i} edited offline` } });
      await cb.sendText(group.id, `offline ${i}`);
    }

    const back = await host.connect(a.token);
    const resumed = resume(back, [{ conversationId: group.id, pts: savedPts }]);
    const racing = await Promise.all(
      older.flatMap(({ message }, i) => [
        msgOp(cb, 'edit', group.id, message.id, { content: { type: 'text', text: `older ${i} edited again` } }),
        msgOp(cc, 'react', group.id, message.id, { emoji: '⚡', op: 'add' }),
        cc.sendText(group.id, `racing ${i}`),
      ]),
    );
    expect(racing).toHaveLength(15);
    await resumed;
    const now = await conversationOf(host, group.id, a);
    await back.collect((f) => isChange(group.id)(f) && f.pts === now.lastPts, 1);
    await settle(back);

    const frames = back.frames.filter(isChange(group.id));
    const pts = frames.map((f) => f.pts);
    expect(pts).toEqual([...new Set(pts)].sort((x, y) => x - y));
    const applied = new Map<string, any>();
    for (const f of frames) applied.set(f.message.id, f.message);
    const stored = (await back.request<{ messages: any[] }>({ type: 'history', conversationId: group.id, limit: 100 }))
      .messages;
    expect([...applied.values()].sort((x, y) => x.seq - y.seq)).toEqual(stored.filter((m) => m.pts > savedPts));
  });
});

describe('resume when too far behind', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ config: { websocket: { resumeLimit: 5 } } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function missed(count: number) {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const group = await host.createGroup(b, [a]);
    const savedPts = group.lastPts as number;
    const cb = await online(host, b);
    for (let i = 0; i < count; i++) await cb.sendText(group.id, `while away ${i}`);
    const now = (await host.http('GET', `/v1/conversations/${group.id}`, { token: a.token })).body;
    return { a, group, savedPts, cb, now };
  }

  it('pushes a resync frame and answers status resync, without replaying events, when more than resumeLimit changes were missed', async () => {
    const { a, group, savedPts, cb, now } = await missed(10);
    const back = await host.connect(a.token);
    const { result, before } = await resume(back, [{ conversationId: group.id, pts: savedPts }]);

    expect(before.filter((f) => f.type === 'resync')).toEqual([
      { type: 'resync', conversationId: group.id, reason: 'too_far_behind', pts: now.lastPts, seq: now.lastSeq },
    ]);
    expect(result.conversations).toEqual([
      { conversationId: group.id, status: 'resync', pts: now.lastPts, seq: now.lastSeq },
    ]);
    expect(before.filter(isChange(group.id))).toEqual([]);

    const next = await cb.sendText(group.id, 'after the resync');
    const live = await back.next((f) => isChange(group.id)(f));
    expect(live).toMatchObject({ type: 'message.created', pts: now.lastPts + 1, message: { id: next.message.id } });
  });

  it('still catches up by events when exactly resumeLimit changes were missed', async () => {
    const { a, group, savedPts, now } = await missed(5);
    const back = await host.connect(a.token);
    const { result, before } = await resume(back, [{ conversationId: group.id, pts: savedPts }]);
    expect(result.conversations).toEqual([
      { conversationId: group.id, status: 'caught_up', pts: now.lastPts, seq: now.lastSeq },
    ]);
    expect(before.filter(isChange(group.id)).map((f) => f.pts)).toEqual([1, 2, 3, 4, 5].map((n) => savedPts + n));
    expect(back.ofType('resync')).toEqual([]);
  });
});

function byId(x: { conversationId: string }, y: { conversationId: string }) {
  return x.conversationId < y.conversationId ? -1 : x.conversationId > y.conversationId ? 1 : 0;
}

/**
 * Sequencing under concurrency: many sockets sending at once into one conversation (and into
 * several) still give each conversation seqs 1..N without gaps or reuse, and every receiver sees
 * the messages in strictly increasing pts order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import type { Frame, TestClient } from './support/test-client.js';
import { online } from './support/protocol-helpers.js';

type SendResult = { message: any; duplicate: boolean };
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const created = (conversationId: string) => (f: Frame) =>
  f.type === 'message.created' && f.conversationId === conversationId;

/** Reads a whole conversation with `after` pages of 100. */
async function fullHistory(c: TestClient, conversationId: string) {
  const all: any[] = [];
  for (let after = 0; ;) {
    const page = await c.request<{ messages: any[]; hasMore: boolean }>({
      type: 'history',
      conversationId,
      after,
      limit: 100,
    });
    all.push(...page.messages);
    if (!page.hasMore) return all;
    after = page.messages.at(-1)!.seq;
  }
}

async function lastSeqOf(host: TestHost, id: string, user: TestUser): Promise<{ lastSeq: number; lastPts: number }> {
  const res = await host.http('GET', `/v1/conversations/${id}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body;
}

describe('sequencing under concurrent sends', () => {
  let host: TestHost;
  let users: TestUser[];
  let sockets: TestClient[];
  beforeAll(async () => {
    host = await startTestHost();
    users = await Promise.all(Array.from({ length: 10 }, () => host.createUser()));
    // Two sockets per user: 20 connections.
    sockets = await Promise.all(users.flatMap((u) => [online(host, u), online(host, u)]));
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('gives 500 pipelined sends from 20 sockets of 10 users the seqs 1..N exactly once each', async () => {
    const [owner, ...rest] = users as [TestUser, ...TestUser[]];
    const group = await host.createGroup(owner, rest, 'Busy group');
    const before = await lastSeqOf(host, group.id, owner);
    const perSocket = 25;

    const acks = await Promise.all(
      sockets.flatMap((s, si) => range(1, perSocket).map((i) => s.sendText(group.id, `socket ${si} message ${i}`))),
    );
    const total = sockets.length * perSocket;
    expect(acks).toHaveLength(500);
    expect(acks.every((a) => a.duplicate === false)).toBe(true);

    const seqs = acks.map((a) => a.message.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(range(before.lastSeq + 1, before.lastSeq + total));
    const pts = acks.map((a) => a.message.pts).sort((x, y) => x - y);
    expect(pts).toEqual(range(before.lastPts + 1, before.lastPts + total));
    expect(new Set(acks.map((a) => a.message.id)).size).toBe(total);

    const after = await lastSeqOf(host, group.id, owner);
    expect(after).toMatchObject({ lastSeq: before.lastSeq + total, lastPts: before.lastPts + total });

    const history = await fullHistory(sockets[0]!, group.id);
    expect(history.map((m) => m.seq)).toEqual(range(1, after.lastSeq));
    const byId = new Map(acks.map((a) => [a.message.id, a.message]));
    for (const m of history.filter((m) => byId.has(m.id))) expect(m).toEqual(byId.get(m.id));
    expect(history.filter((m) => byId.has(m.id))).toHaveLength(total);

    // Every connection of every member sees all 500 in strictly increasing pts order, once each.
    for (const s of sockets) {
      const frames = await s.collect((f) => created(group.id)(f) && f.pts > before.lastPts, total, 20_000);
      expect(frames.map((f) => f.pts)).toEqual(range(before.lastPts + 1, before.lastPts + total));
      expect(frames.every((f) => f.message.seq - before.lastSeq === f.pts - before.lastPts)).toBe(true);
    }
  }, 60_000);

  it('keeps seqs contiguous per conversation when several conversations receive concurrent WebSocket and HTTP sends', async () => {
    const groups = await Promise.all(
      [0, 1, 2, 3].map((g) =>
        host.createGroup(
          users[g]!,
          users.filter((_, i) => i !== g),
          `Parallel ${g}`,
        ),
      ),
    );
    const before = await Promise.all(groups.map((g) => lastSeqOf(host, g.id, users[0]!)));

    const perConversation = 60;
    const sends: Promise<SendResult & { group: number }>[] = [];
    for (let i = 0; i < perConversation; i++) {
      groups.forEach((g, gi) => {
        const n = i + gi * 5;
        if (n % 4 === 3) {
          // Every fourth send goes over HTTP, racing the WebSocket sends into the same counters.
          const sender = users[n % users.length]!;
          sends.push(
            host
              .http('POST', `/v1/conversations/${g.id}/messages`, {
                token: sender.token,
                body: { clientMsgId: `http-${gi}-${i}`, content: { type: 'text', text: `g${gi} #${i}` } },
              })
              .then((res) => {
                expect(res.status).toBe(201);
                return { ...res.body, group: gi };
              }),
          );
        } else {
          sends.push(sockets[n % sockets.length]!.sendText(g.id, `g${gi} #${i}`).then((r) => ({ ...r, group: gi })));
        }
      });
    }
    const acks = await Promise.all(sends);

    for (const [gi, g] of groups.entries()) {
      const mine = acks.filter((a) => a.group === gi);
      expect(mine.every((a) => a.message.conversationId === g.id)).toBe(true);
      const seqs = mine.map((a) => a.message.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(range(before[gi]!.lastSeq + 1, before[gi]!.lastSeq + perConversation));
      const history = await fullHistory(sockets[1]!, g.id);
      expect(history.map((m) => m.seq)).toEqual(range(1, before[gi]!.lastSeq + perConversation));
    }

    // Each receiver sees each conversation's messages in strictly increasing pts order.
    const receiver = sockets[sockets.length - 1]!;
    for (const [gi, g] of groups.entries()) {
      const frames = await receiver.collect(
        (f) => created(g.id)(f) && f.pts > before[gi]!.lastPts,
        perConversation,
        20_000,
      );
      expect(frames.map((f) => f.pts)).toEqual(range(before[gi]!.lastPts + 1, before[gi]!.lastPts + perConversation));
    }
  }, 60_000);

  it('orders edits and reactions racing with new messages in one pts sequence seen identically by every receiver', async () => {
    const [owner, ...rest] = users as [TestUser, ...TestUser[]];
    const group = await host.createGroup(owner, rest.slice(0, 4), 'Mixed changes');
    const [s0, s1, s2, s3] = [sockets[0]!, sockets[2]!, sockets[4]!, sockets[6]!];
    const seed = await Promise.all(range(1, 10).map((i) => s0.sendText(group.id, `seed ${i}`)));
    const start = (await lastSeqOf(host, group.id, owner)).lastPts;

    const ops: Promise<unknown>[] = [];
    for (const [i, { message }] of seed.entries()) {
      ops.push(
        s0.request({
          type: 'edit',
          conversationId: group.id,
          messageId: message.id,
          content: { type: 'text', text: `seed ${i} edited` },
        }),
      );
      ops.push(s1.request({ type: 'react', conversationId: group.id, messageId: message.id, emoji: '🔥', op: 'add' }));
      ops.push(s2.request({ type: 'react', conversationId: group.id, messageId: message.id, emoji: '✅', op: 'add' }));
      ops.push(s3.sendText(group.id, `racing ${i}`));
    }
    await Promise.all(ops);
    const end = (await lastSeqOf(host, group.id, owner)).lastPts;
    expect(end).toBe(start + 40);

    const isChange = (f: Frame) =>
      (f.type === 'message.created' || f.type === 'message.updated') && f.conversationId === group.id && f.pts > start;
    const streams = [];
    for (const s of [s0, s1, s2, s3, sockets[1]!]) {
      const frames = await s.collect(isChange, 40, 20_000);
      expect(frames.map((f) => f.pts)).toEqual(range(start + 1, end));
      streams.push(frames.map((f) => `${f.type}:${f.message.id}:${f.pts}`));
    }
    for (const stream of streams) expect(stream).toEqual(streams[0]);
  }, 60_000);
});

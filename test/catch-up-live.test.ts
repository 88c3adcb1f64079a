/**
 * A catch-up from the database (a resume, the end of the hold after `ready`, a gap) and live
 * changes arriving while it reads: the live ones go out after what it read, in pts order, each
 * once, and the catch-up ends there. Had each live change asked for another read, a busy
 * conversation would never leave catch-up and every delivery would cost a query; the host's
 * switchboard_catch_up_reads_total counts the reads. (PostgreSQL overlaps the read with commits
 * on other connections, so there a second read shows; SQLite's one connection rarely does.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import type { Frame } from './support/test-client.js';
import { online, settle } from './support/protocol-helpers.js';
import { eventually } from './support/eventually.js';
import { METRICS_TOKEN, sample, scrape } from './support/metrics-helpers.js';

const isChange = (conversationId: string) => (f: Frame) =>
  (f.type === 'message.created' || f.type === 'message.updated') && f.conversationId === conversationId;

describe('catch-up with live changes', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ config: { metrics: { token: METRICS_TOKEN } } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  const catchUpReads = async () => sample(await scrape(host), 'switchboard_catch_up_reads_total') ?? 0;

  it('reads once, then sends the live changes that came meanwhile, in order and each once', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const group = await host.createGroup(b, [a]);
    const res = await host.http('GET', `/v1/conversations/${group.id}`, { token: a.token });
    const savedPts: number = res.body.lastPts;
    // A backlog long enough that the catch-up is still reading while live sends commit.
    const missed = 1200;
    const senders = await Promise.all(Array.from({ length: 8 }, () => online(host, b)));
    await Promise.all(
      senders.flatMap((s, si) =>
        Array.from({ length: missed / 8 }, (_, i) => s.sendText(group.id, `missed ${si}.${i}`)),
      ),
    );

    const back = await host.connect(a.token);
    const before = await catchUpReads();
    // Four senders, each keeping a few sends in flight, so commits land while the catch-up reads.
    let acked = 0;
    const live = Promise.all(
      senders.slice(0, 4).map(async (c, si) => {
        const acks = [];
        for (let i = 0; i < 10; i += 2) {
          const pair = await Promise.all([
            c.sendText(group.id, `live ${si}.${i}`),
            c.sendText(group.id, `live ${si}.${i + 1}`),
          ]);
          acks.push(...pair);
          acked += 2;
        }
        return acks;
      }),
    ).then((all) => all.flat());
    await eventually(() => acked >= 3, { intervalMs: 2, what: 'three live sends acknowledged' });
    const result = await back.request<any>({
      type: 'resume',
      id: randomUUID(),
      conversations: [{ conversationId: group.id, pts: savedPts }],
    });
    expect(result.conversations[0]).toMatchObject({ conversationId: group.id, status: 'caught_up' });
    const finalPts = Math.max(...(await live).map((r) => r.message.pts));
    expect(finalPts).toBe(savedPts + missed + 40);

    await back.collect((f) => isChange(group.id)(f) && f.pts === finalPts, 1);
    await settle(back);
    const pts = back.frames.filter(isChange(group.id)).map((f) => f.pts);
    expect(pts).toEqual(Array.from({ length: missed + 40 }, (_, i) => savedPts + 1 + i));
    expect(await catchUpReads()).toBe(before + 1);
  }, 60_000);
});

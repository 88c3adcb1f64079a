/**
 * Resume from positions the host cannot take as they are: a pts the conversation never reached
 * (a client restored from a backup, or a buggy one) answers resync with the host's counters and
 * live changes then flow from there; a conversation listed twice in one resume is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import type { Frame, TestClient } from './support/test-client.js';
import { online, refusal } from './support/protocol-helpers.js';

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

describe('resume from positions the host cannot take as they are', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  /** A group of two at pts 2 (its creation and one message), and where it stands. */
  async function pair() {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const group = await host.createGroup(b, [a]);
    const cb = await online(host, b);
    await cb.sendText(group.id, 'before');
    const now = (await host.http('GET', `/v1/conversations/${group.id}`, { token: a.token })).body;
    expect([now.lastPts, now.lastSeq]).toEqual([2, 2]);
    return { a, b, group, cb, now };
  }

  it('a pts above the conversation’s answers resync with the real pts and seq, and the next live message arrives', async () => {
    const { a, group, cb, now } = await pair();
    const back = await host.connect(a.token);
    const { result, before } = await resume(back, [{ conversationId: group.id, pts: 999 }]);

    expect(before.filter((f) => f.type === 'resync')).toEqual([
      { type: 'resync', conversationId: group.id, reason: 'too_far_behind', pts: now.lastPts, seq: now.lastSeq },
    ]);
    expect(result.conversations).toEqual([
      { conversationId: group.id, status: 'resync', pts: now.lastPts, seq: now.lastSeq },
    ]);
    expect(before.filter(isChange(group.id))).toEqual([]);

    const next = (await cb.sendText(group.id, 'after the resync')).message;
    const live = await back.next(isChange(group.id), 5_000);
    expect(live).toMatchObject({ type: 'message.created', pts: now.lastPts + 1, message: { id: next.id } });
  });

  it('so does a second resume, on a connection already receiving the conversation, with a pts above it', async () => {
    const { a, group, cb, now } = await pair();
    const back = await online(host, a);
    const first = (await cb.sendText(group.id, 'seen live')).message;
    await back.next((f) => isChange(group.id)(f) && f.message.id === first.id, 5_000);

    const { result } = await resume(back, [{ conversationId: group.id, pts: 999 }]);
    expect(result.conversations).toEqual([
      { conversationId: group.id, status: 'resync', pts: now.lastPts + 1, seq: now.lastSeq + 1 },
    ]);
    const next = (await cb.sendText(group.id, 'after the resync')).message;
    const live = await back.next((f) => isChange(group.id)(f) && f.message.id === next.id, 5_000);
    expect(live.pts).toBe(now.lastPts + 2);
  });

  it('refuses a resume that lists a conversation twice, naming the repeat, and changes nothing', async () => {
    const { a, group, cb, now } = await pair();
    const back = await host.connect(a.token);
    const refused = await refusal(
      back.request({
        type: 'resume',
        conversations: [
          { conversationId: group.id, pts: 1 },
          { conversationId: group.id, pts: 2 },
        ],
      }),
    );
    expect(refused).toMatchObject({
      code: 'invalid_request',
      details: [{ path: '/conversations/1/conversationId' }],
    });
    // The refused resume did not count: a proper one catches up as usual.
    const { result, before } = await resume(back, [{ conversationId: group.id, pts: 1 }]);
    expect(result.conversations).toEqual([
      { conversationId: group.id, status: 'caught_up', pts: now.lastPts, seq: now.lastSeq },
    ]);
    expect(before.filter(isChange(group.id)).map((f) => f.pts)).toEqual([2]);
    const next = (await cb.sendText(group.id, 'live again')).message;
    expect(await back.next((f) => isChange(group.id)(f) && f.message.id === next.id, 5_000)).toBeTruthy();
  });
});

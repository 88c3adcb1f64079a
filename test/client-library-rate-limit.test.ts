/**
 * The client library under the host's frame rate limit (docs/protocol.md "Pacing pipelined
 * requests"): refused frames are sent again after their retryAfterMs, nothing new goes out while
 * they wait, and so every request is served and the connection is never closed for flooding.
 */
import { describe, expect, it } from 'vitest';
import { fullHistory } from './support/e2e.js';
import { libraryClient, libraryTestHost, type Wire } from './support/client-library.js';

/** A frame without its id: a resend has the same content and a new id. */
const contentKey = (frame: any) => JSON.stringify({ ...frame, id: undefined });

/**
 * Walks the wire in the order the client saw it and returns the frames it sent that were new
 * (not resends of refused frames) while a refused frame still waited for its turn.
 */
function newFramesWhileRefusedWaited(wire: Wire): any[] {
  const sent = new Map<string, any>();
  const waiting = new Set<string>();
  const violations: any[] = [];
  for (const { dir, frame } of wire.log) {
    if (dir === 'out') {
      const key = contentKey(frame);
      if (waiting.has(key)) waiting.delete(key);
      else if (waiting.size > 0) violations.push(frame);
      if (frame.id) sent.set(frame.id, frame);
    } else if (frame.type === 'error' && frame.error.code === 'rate_limited' && frame.replyTo) {
      waiting.add(contentKey(sent.get(frame.replyTo)));
    }
  }
  return violations;
}

/** The most requests the client had sent and not yet seen answered, at any moment. */
function maxUnanswered(wire: Wire): number {
  const open = new Set<string>();
  let max = 0;
  for (const { dir, frame } of wire.log) {
    if (dir === 'out' && frame.id) open.add(frame.id);
    if (dir === 'in' && frame.replyTo) open.delete(frame.replyTo);
    max = Math.max(max, open.size);
  }
  return max;
}

describe('client library: the frame rate limit', () => {
  const host = libraryTestHost({ config: { websocket: { framesPerSecond: 20, burst: 3 } } });

  it('60 sends in three conversations are all stored in order, though the host refuses many at first', async () => {
    const [a, b, c, d] = await Promise.all([
      host.createUser(),
      host.createUser(),
      host.createUser(),
      host.createUser(),
    ]);
    const conversations = await Promise.all([host.direct(a, b), host.direct(a, c), host.direct(a, d)]);
    const ca = await libraryClient(host, a);
    const sends = conversations.flatMap((conv) =>
      Array.from({ length: 20 }, (_, i) => ({ conv, text: `${i + 1}`, send: ca.client.send(conv.id, `${i + 1}`) })),
    );
    const messages = await Promise.all(sends.map((s) => s.send.sent));
    // Each send resolves with its own stored message.
    expect(messages.map((m) => [m.conversationId, m.clientMsgId])).toEqual(
      sends.map((s) => [s.conv.id, s.send.clientMsgId]),
    );

    for (const conv of conversations) {
      expect(ca.client.pending(conv.id)).toEqual([]);
      expect((await fullHistory(host.url, a.token, conv.id)).map((m) => m.content.text)).toEqual(
        Array.from({ length: 20 }, (_, i) => `${i + 1}`),
      );
    }
    const refusals = ca.wire.in.filter((f) => f.type === 'error' && f.error.code === 'rate_limited');
    expect(refusals.length).toBeGreaterThan(0);
    expect(ca.wire.in.filter((f) => f.type === 'error' && f.error.code !== 'rate_limited')).toEqual([]);
    expect(newFramesWhileRefusedWaited(ca.wire)).toEqual([]);
    expect(ca.wire.closes).toEqual([]);
    expect(ca.events.state.flat()).toEqual(['connecting', 'online']);
  });

  it('a burst of pipelined requests far past the limit is served in full without a 4008', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const ca = await libraryClient(host, a);
    await Promise.all(Array.from({ length: 40 }, (_, i) => ca.client.history(direct.id, { before: i + 2, limit: 1 })));
    expect(ca.wire.in.some((f) => f.type === 'error' && f.error.code === 'rate_limited')).toBe(true);
    // Never more than `burst` unanswered, so refused frames can never pile up to the flood limit.
    expect(maxUnanswered(ca.wire)).toBe(3);
    expect(newFramesWhileRefusedWaited(ca.wire)).toEqual([]);
    expect(ca.wire.closes).toEqual([]);
  });
});

/**
 * Idempotent sends: a clientMsgId names one message per conversation. Resending it (after a
 * lost answer, a reconnect, or many times at once) returns the original and never stores a second row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { type TestClient } from './support/test-client.js';
import { refusal, settle, online } from './support/protocol-helpers.js';

type SendResult = { message: any; duplicate: boolean };

const sendFrame = (conversationId: string, clientMsgId: string, text: string, extra: object = {}) => ({
  type: 'send',
  conversationId,
  clientMsgId,
  content: { type: 'text', text },
  ...extra,
});

describe('idempotent sends', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function pair() {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const [ca, cb] = await Promise.all([online(host, a), online(host, b)]);
    return { a, b, conv, ca, cb };
  }
  async function stored(c: TestClient, conversationId: string, clientMsgId: string) {
    const { messages } = await c.request<{ messages: any[] }>({ type: 'history', conversationId, limit: 100 });
    return messages.filter((m) => m.clientMsgId === clientMsgId);
  }

  it('answers a resend with the original message, duplicate:true and the same seq, and stores one row', async () => {
    const { b, conv, ca, cb } = await pair();
    const clientMsgId = randomUUID();
    const first = await ca.sendText(conv.id, 'only once', clientMsgId);
    const again = await ca.sendText(conv.id, 'only once', clientMsgId);
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ duplicate: true, message: first.message });

    expect(await stored(ca, conv.id, clientMsgId)).toEqual([first.message]);
    const res = await host.http('GET', `/v1/conversations/${conv.id}`, { token: b.token });
    expect(res.body).toMatchObject({ lastSeq: first.message.seq, lastPts: first.message.pts });
    // The one event arrives (waited for), and no second one follows.
    await cb.collect((f) => f.type === 'message.created' && f.message.clientMsgId === clientMsgId, 1);
    await settle(cb);
    expect(cb.frames.filter((f) => f.type === 'message.created' && f.message.clientMsgId === clientMsgId)).toHaveLength(
      1,
    );
  });

  it('turns ten identical sends fired at once into one message', async () => {
    const { conv, ca, cb } = await pair();
    const clientMsgId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => ca.request<SendResult>(sendFrame(conv.id, clientMsgId, 'burst'))),
    );

    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(new Set(results.map((r) => r.message.seq))).toEqual(new Set([conv.lastSeq + 1]));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await stored(ca, conv.id, clientMsgId)).toHaveLength(1);
    await cb.collect((f) => f.type === 'message.created' && f.conversationId === conv.id, 1);
    await settle(cb);
    expect(cb.frames.filter((f) => f.type === 'message.created' && f.conversationId === conv.id)).toHaveLength(1);

    const next = await ca.sendText(conv.id, 'after the burst');
    expect(next.message.seq).toBe(conv.lastSeq + 2);
  });

  it('deduplicates concurrent resends arriving on different sockets of the same user', async () => {
    const { a, conv, ca } = await pair();
    const sockets = [ca, ...(await Promise.all([online(host, a), online(host, a)]))];
    const clientMsgId = randomUUID();
    const results = await Promise.all(
      sockets.flatMap((s) =>
        [1, 2, 3].map(() => s.request<SendResult>(sendFrame(conv.id, clientMsgId, 'multi-device'))),
      ),
    );
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await stored(ca, conv.id, clientMsgId)).toHaveLength(1);
  });

  it('creates one message when identical sends race over WebSocket and HTTP', async () => {
    const { a, conv, ca } = await pair();
    const clientMsgId = randomUUID();
    const content = { type: 'text', text: 'both ways' };
    const [wsResults, httpResults] = await Promise.all([
      Promise.all(
        Array.from({ length: 5 }, () => ca.request<SendResult>(sendFrame(conv.id, clientMsgId, content.text))),
      ),
      Promise.all(
        Array.from({ length: 5 }, () =>
          host.http('POST', `/v1/conversations/${conv.id}/messages`, {
            token: a.token,
            body: { clientMsgId, content },
          }),
        ),
      ),
    ]);
    const all = [...wsResults, ...httpResults.map((r) => r.body as SendResult)];
    expect(new Set(all.map((r) => r.message.id)).size).toBe(1);
    expect(all.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(httpResults.map((r) => r.status).sort()).toEqual(
      httpResults.map((r) => (r.body.duplicate ? 200 : 201)).sort(),
    );
    expect(await stored(ca, conv.id, clientMsgId)).toHaveLength(1);
  });

  it('refuses the same clientMsgId with different content or a different replyToId', async () => {
    const { conv, ca } = await pair();
    const target = await ca.sendText(conv.id, 'target');
    const clientMsgId = randomUUID();
    const original = await ca.sendText(conv.id, 'original', clientMsgId);

    expect((await refusal(ca.sendText(conv.id, 'changed', clientMsgId))).code).toBe('client_msg_id_conflict');
    const withReply = sendFrame(conv.id, clientMsgId, 'original', { replyToId: target.message.id });
    expect((await refusal(ca.request(withReply))).code).toBe('client_msg_id_conflict');
    expect(await stored(ca, conv.id, clientMsgId)).toEqual([original.message]);
  });

  it('treats the same clientMsgId in another conversation as a different message', async () => {
    const { a, conv, ca } = await pair();
    const other = await host.direct(a, await host.createUser());
    const clientMsgId = randomUUID();
    const here = await ca.sendText(conv.id, 'same words', clientMsgId);
    const there = await ca.sendText(other.id, 'same words', clientMsgId);
    expect(there.duplicate).toBe(false);
    expect(there.message.id).not.toBe(here.message.id);
    expect(there.message.conversationId).toBe(other.id);
    expect(await stored(ca, conv.id, clientMsgId)).toEqual([here.message]);
    expect(await stored(ca, other.id, clientMsgId)).toEqual([there.message]);
  });

  it('still deduplicates a resend made on a new socket after reconnecting', async () => {
    const { a, conv, ca } = await pair();
    const clientMsgId = randomUUID();
    const frame = sendFrame(conv.id, clientMsgId, 'sent before the connection dropped');
    const first = await ca.request<SendResult>(frame);
    await ca.close();

    const fresh = await online(host, a);
    expect(await fresh.request<SendResult>({ ...frame, id: 'resend' })).toEqual({
      duplicate: true,
      message: first.message,
    });
    expect(await stored(fresh, conv.id, clientMsgId)).toHaveLength(1);
  });

  it('shares deduplication between WebSocket and HTTP sends', async () => {
    const { a, conv, ca } = await pair();
    const clientMsgId = randomUUID();
    const first = await ca.sendText(conv.id, 'over ws', clientMsgId);
    const res = await host.http('POST', `/v1/conversations/${conv.id}/messages`, {
      token: a.token,
      body: { clientMsgId, content: { type: 'text', text: 'over ws' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ duplicate: true, message: first.message });

    const conflict = await host.http('POST', `/v1/conversations/${conv.id}/messages`, {
      token: a.token,
      body: { clientMsgId, content: { type: 'text', text: 'something else' } },
    });
    expect([conflict.status, conflict.body.error.code]).toEqual([409, 'client_msg_id_conflict']);
  });
});

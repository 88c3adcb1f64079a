/**
 * Messaging end to end, typing and read receipts: typing reaches the other members but never
 * the typist; read watermarks move only forward, clamp to the newest seq and reach the other members.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { settle, online } from './support/protocol-helpers.js';
import { conversationOn, messagingHostOptions, pairOn } from './support/messaging-helpers.js';

describe('messaging', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost(messagingHostOptions);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const pair = () => pairOn(host);
  const conversation = (id: string, user: TestUser) => conversationOn(host, id, user);

  it('shows typing to the other members but never echoes it to the typist', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const group = await host.createGroup(a, [b, c]);
    const [ca, ca2, cb, cc] = await Promise.all([online(host, a), online(host, a), online(host, b), online(host, c)]);
    ca.sendRaw({ type: 'typing', conversationId: group.id, state: 'started' });
    for (const other of [cb, cc]) {
      expect(await other.next('typing')).toEqual({
        type: 'typing',
        conversationId: group.id,
        userId: a.id,
        state: 'started',
      });
    }
    ca.sendRaw({ type: 'typing', conversationId: group.id, state: 'stopped' });
    expect(await cb.next('typing')).toMatchObject({ userId: a.id, state: 'stopped' });
    await settle(ca, ca2);
    expect([...ca.ofType('typing'), ...ca2.ofType('typing')]).toEqual([]);
  });

  it('moves read watermarks only forward, clamps them to the newest seq and tells the other members', async () => {
    const { a, b, conv, ca, cb } = await pair();
    let last = 0;
    for (const text of ['1', '2', '3']) last = (await ca.sendText(conv.id, text)).message.seq;

    expect(await cb.request({ type: 'read', conversationId: conv.id, seq: last - 1 })).toEqual({
      conversationId: conv.id,
      seq: last - 1,
    });
    expect(await ca.next('receipt')).toEqual({ type: 'receipt', conversationId: conv.id, userId: b.id, seq: last - 1 });
    expect(await cb.request({ type: 'read', conversationId: conv.id, seq: 1 })).toEqual({
      conversationId: conv.id,
      seq: last - 1,
    });
    expect(await cb.request({ type: 'read', conversationId: conv.id, seq: last + 100 })).toEqual({
      conversationId: conv.id,
      seq: last,
    });
    expect(await ca.next('receipt')).toMatchObject({ userId: b.id, seq: last });
    await settle(ca);
    expect(ca.ofType('receipt').map((f) => f.seq)).toEqual([last - 1, last]);

    const members = await host.http('GET', `/v1/conversations/${conv.id}/members`, { token: a.token });
    expect(members.status).toBe(200);
    expect(members.body.members.find((m: any) => m.userId === b.id).readSeq).toBe(last);
    expect((await conversation(conv.id, b)).myReadSeq).toBe(last);
  });
});

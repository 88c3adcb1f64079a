/**
 * Messaging end to end, reactions and pts: adding and removing reactions in order, and the
 * conversation pts advancing by exactly one per change (not for reads, typing or refusals).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { type TestClient } from './support/test-client.js';
import { refusal, settle } from './support/protocol-helpers.js';
import { conversationOn, messagingHostOptions, op, pairOn, updatesOf } from './support/messaging-helpers.js';

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

  it('adds and removes reactions in reaction order; repeating an add or remove changes nothing', async () => {
    const { a, b, conv, ca, cb } = await pair();
    const { message } = await ca.sendText(conv.id, 'react to me');
    const react = (c: TestClient, o: 'add' | 'remove') =>
      op(c, 'react', conv.id, message.id, { emoji: '👍', op: o }).then((r) => r.message);

    const first = await react(cb, 'add');
    expect(first).toMatchObject({ pts: message.pts + 1, reactions: [{ emoji: '👍', userIds: [b.id] }] });
    const second = await react(ca, 'add');
    expect(second).toMatchObject({ pts: message.pts + 2, reactions: [{ emoji: '👍', userIds: [b.id, a.id] }] });
    expect(await react(cb, 'add')).toEqual(second);
    const removed = await react(cb, 'remove');
    expect(removed).toMatchObject({ pts: message.pts + 3, reactions: [{ emoji: '👍', userIds: [a.id] }] });
    expect(await react(cb, 'remove')).toEqual(removed);

    // Wait for the three updates to arrive, then a moment longer to be sure no fourth follows.
    await ca.collect((f) => f.type === 'message.updated' && f.message.id === message.id, 3);
    await settle(ca, cb);
    const updates = updatesOf(ca, message.id);
    expect(updates.map((f) => [f.change, f.pts])).toEqual([
      ['reaction', message.pts + 1],
      ['reaction', message.pts + 2],
      ['reaction', message.pts + 3],
    ]);
  });

  it('advances the conversation pts by exactly one per change, and not for reads, typing or refused requests', async () => {
    const { b, conv, ca, cb } = await pair();
    const m1 = (await ca.sendText(conv.id, 'one')).message;
    const m2 = (await ca.sendText(conv.id, 'two')).message;
    const edited = (await op(ca, 'edit', conv.id, m1.id, { content: { type: 'text', text: 'uno' } })).message;
    const reacted = (await op(cb, 'react', conv.id, m2.id, { emoji: '🎉', op: 'add' })).message;
    const unreacted = (await op(cb, 'react', conv.id, m2.id, { emoji: '🎉', op: 'remove' })).message;
    const deleted = (await op(ca, 'delete', conv.id, m1.id)).message;
    expect([m1.pts, m2.pts, edited.pts, reacted.pts, unreacted.pts, deleted.pts]).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => conv.lastPts + n),
    );

    await cb.request({ type: 'read', conversationId: conv.id, seq: m2.seq });
    cb.sendRaw({ type: 'typing', conversationId: conv.id, state: 'started' });
    await refusal(op(cb, 'edit', conv.id, m2.id, { content: { type: 'text', text: 'not mine' } }));
    await settle(cb);
    expect(await conversation(conv.id, b)).toMatchObject({ lastPts: conv.lastPts + 6, lastSeq: conv.lastSeq + 2 });
  });
});

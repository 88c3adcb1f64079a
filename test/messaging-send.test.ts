/**
 * Messaging end to end, sending: the send ack and the push to every member connection,
 * refusing non-members, structured content types, replies, and sending over HTTP with resend dedup.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { type Frame } from './support/test-client.js';
import { refusal, online } from './support/protocol-helpers.js';
import { historyOf, messagingHostOptions, pairOn, send } from './support/messaging-helpers.js';

describe('messaging', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost(messagingHostOptions);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const pair = () => pairOn(host);

  it('acknowledges a send with the committed message and pushes that same message to every member connection', async () => {
    const { a, conv, ca, cb } = await pair();
    const ack = await ca.sendText(conv.id, 'hello');
    expect(ack.duplicate).toBe(false);
    expect(ack.message).toMatchObject({
      conversationId: conv.id,
      senderId: a.id,
      seq: conv.lastSeq + 1,
      pts: conv.lastPts + 1,
      content: { type: 'text', text: 'hello' },
      replyToId: null,
      reactions: [],
      editedAt: null,
      deletedAt: null,
    });
    const [pushed] = await cb.collect((f) => f.type === 'message.created' && f.message.id === ack.message.id, 1);
    expect(pushed).toMatchObject({ conversationId: conv.id, pts: ack.message.pts });
    expect(pushed!.message).toEqual(ack.message);
    const [own] = await ca.collect((f) => f.type === 'message.created' && f.message.id === ack.message.id, 1);
    expect(own!.message).toEqual(ack.message);
  });

  it('gives messages version 7 ids, which begin with their time, so the id index grows at its end', async () => {
    const { conv, ca } = await pair();
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) ids.push((await ca.sendText(conv.id, text)).message.id);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The millisecond (the first 48 bits) never goes back; within one, the rest is random.
    const times = ids.map((id) => id.slice(0, 13));
    expect([...times].sort()).toEqual(times);
  });

  it('refuses a send from someone who is not a member and stores nothing', async () => {
    const { conv, ca } = await pair();
    const outsider = await host.createUser();
    const cx = await online(host, outsider);
    expect((await refusal(cx.sendText(conv.id, 'intruding'))).code).toBe('conversation_not_found');
    expect(await historyOf(ca, conv.id)).toHaveLength(conv.lastSeq);
  });

  it('accepts a registered structured type and refuses unknown types, bodies breaking the schema and system types', async () => {
    const { conv, ca, cb } = await pair();
    const card = await send(ca, conv.id, { type: 'test.card', body: { title: 'Quarterly report' } });
    expect(card.message.content).toEqual({ type: 'test.card', body: { title: 'Quarterly report' } });
    await cb.collect((f) => f.type === 'message.created' && f.message.id === card.message.id, 1);

    expect((await refusal(send(ca, conv.id, { type: 'test.unregistered', body: {} }))).code).toBe(
      'unknown_message_type',
    );
    for (const body of [{}, { title: 42 }, { title: 'ok', extra: true }]) {
      expect((await refusal(send(ca, conv.id, { type: 'test.card', body }))).code).toBe('invalid_message_body');
    }
    const system = await refusal(send(ca, conv.id, { type: 'system.title_changed', body: { title: 'forged' } }));
    expect(system.code).toBe('unknown_message_type');

    const stored = await historyOf(ca, conv.id);
    expect(stored).toHaveLength(conv.lastSeq + 1);
    expect(stored.at(-1)).toEqual(card.message);
  });

  it('lets a reply point only at a message of the same conversation', async () => {
    const { a, conv, ca, cb } = await pair();
    const original = await ca.sendText(conv.id, 'question?');
    const reply = await send(cb, conv.id, { type: 'text', text: 'answer' }, { replyToId: original.message.id });
    expect(reply.message.replyToId).toBe(original.message.id);

    const third = await host.createUser();
    const elsewhere = await host.direct(a, third);
    const foreign = await ca.sendText(elsewhere.id, 'in another conversation');
    expect(
      (await refusal(send(ca, conv.id, { type: 'text', text: 'x' }, { replyToId: foreign.message.id }))).code,
    ).toBe('message_not_found');
    expect((await refusal(send(ca, conv.id, { type: 'text', text: 'x' }, { replyToId: randomUUID() }))).code).toBe(
      'message_not_found',
    );
  });

  it('sends over HTTP: 201 for a new message, 200 with duplicate:true for a resend, pushed over WebSocket', async () => {
    const { a, conv, cb } = await pair();
    const body = { clientMsgId: randomUUID(), content: { type: 'text', text: 'via http' } };
    const created = await host.http('POST', `/v1/conversations/${conv.id}/messages`, { token: a.token, body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      duplicate: false,
      message: { senderId: a.id, seq: conv.lastSeq + 1, content: body.content },
    });
    const [pushed] = await cb.collect(
      (f: Frame) => f.type === 'message.created' && f.message.id === created.body.message.id,
      1,
    );
    expect(pushed!.message).toEqual(created.body.message);

    const again = await host.http('POST', `/v1/conversations/${conv.id}/messages`, { token: a.token, body });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ duplicate: true, message: created.body.message });
  });
});

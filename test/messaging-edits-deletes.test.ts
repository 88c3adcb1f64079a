/**
 * Messaging end to end, changing messages: edits by the sender only, deletes as tombstones
 * that keep their seq, and who may delete whose message in groups and direct chats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { refusal, online } from './support/protocol-helpers.js';
import { historyOf, messagingHostOptions, op, pairOn } from './support/messaging-helpers.js';

describe('messaging', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost(messagingHostOptions);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const pair = () => pairOn(host);

  it('lets only the sender edit, and pushes the edit as message.updated with change "edited"', async () => {
    const { conv, ca, cb } = await pair();
    const { message } = await ca.sendText(conv.id, 'frist');
    expect(
      (await refusal(op(cb, 'edit', conv.id, message.id, { content: { type: 'text', text: 'hijacked' } }))).code,
    ).toBe('forbidden');

    const edited = (await op(ca, 'edit', conv.id, message.id, { content: { type: 'text', text: 'first' } })).message;
    expect(edited).toMatchObject({
      id: message.id,
      seq: message.seq,
      pts: message.pts + 1,
      content: { type: 'text', text: 'first' },
    });
    expect(typeof edited.editedAt).toBe('string');
    const [update] = await cb.collect((f) => f.type === 'message.updated' && f.message.id === message.id, 1);
    expect(update).toMatchObject({ conversationId: conv.id, pts: edited.pts, change: 'edited' });
    expect(update!.message).toEqual(edited);

    await refusal(op(ca, 'edit', conv.id, message.id, { content: { type: 'test.card', body: { title: 'not text' } } }));
    expect((await historyOf(ca, conv.id)).find((m) => m.id === message.id).content).toEqual({
      type: 'text',
      text: 'first',
    });
  });

  it('turns a deleted message into a tombstone that keeps its seq and can no longer be edited', async () => {
    const { conv, ca, cb } = await pair();
    const { message } = await ca.sendText(conv.id, 'oops');
    await op(cb, 'react', conv.id, message.id, { emoji: '👀', op: 'add' });
    const tomb = (await op(ca, 'delete', conv.id, message.id)).message;
    expect(tomb).toMatchObject({
      id: message.id,
      seq: message.seq,
      pts: message.pts + 2,
      content: null,
      reactions: [],
    });
    expect(typeof tomb.deletedAt).toBe('string');
    const [update] = await cb.collect((f) => f.type === 'message.updated' && f.change === 'deleted', 1);
    expect(update!.message).toEqual(tomb);
    expect((await historyOf(cb, conv.id)).find((m) => m.seq === message.seq)).toEqual(tomb);

    expect((await refusal(op(ca, 'edit', conv.id, message.id, { content: { type: 'text', text: 'undo' } }))).code).toBe(
      'message_deleted',
    );
    expect((await op(ca, 'delete', conv.id, message.id)).message).toEqual(tomb);
  });

  it('refuses to edit a system message, even for the member who made the change', async () => {
    const [owner, other] = await Promise.all([host.createUser(), host.createUser()]);
    const group = await host.createGroup(owner, [other]);
    const co = await online(host, owner);
    const created = (await historyOf(co, group.id)).find((m) => m.content.type === 'system.conversation_created');
    expect(created.senderId).toBe(owner.id);
    const refused = await refusal(op(co, 'edit', group.id, created.id, { content: { type: 'text', text: 'forged' } }));
    expect(refused).toMatchObject({ code: 'invalid_operation', message: 'System messages cannot be edited.' });
    expect((await historyOf(co, group.id)).find((m) => m.id === created.id)).toEqual(created);
  });

  it("lets a group owner or admin delete anyone's message, but not a plain member or the other side of a direct chat", async () => {
    const [owner, admin, m1, m2] = await Promise.all([
      host.createUser(),
      host.createUser(),
      host.createUser(),
      host.createUser(),
    ]);
    const group = await host.createGroup(owner, [admin, m1, m2]);
    const promoted = await host.http('PATCH', `/v1/conversations/${group.id}/members/${admin.id}`, {
      token: owner.token,
      body: { role: 'admin' },
    });
    expect(promoted.status).toBe(200);
    const [co, ca, c1, c2] = await Promise.all([
      online(host, owner),
      online(host, admin),
      online(host, m1),
      online(host, m2),
    ]);
    const x = (await c1.sendText(group.id, 'x')).message;
    const y = (await c1.sendText(group.id, 'y')).message;

    expect((await refusal(op(c2, 'delete', group.id, x.id))).code).toBe('forbidden');
    expect((await op(ca, 'delete', group.id, x.id)).message.content).toBeNull();
    expect((await op(co, 'delete', group.id, y.id)).message.content).toBeNull();
    const own = (await c2.sendText(group.id, 'my own')).message;
    expect((await op(c2, 'delete', group.id, own.id)).message.content).toBeNull();

    const direct = await pair();
    const theirs = (await direct.cb.sendText(direct.conv.id, 'mine')).message;
    expect((await refusal(op(direct.ca, 'delete', direct.conv.id, theirs.id))).code).toBe('forbidden');
  });
});

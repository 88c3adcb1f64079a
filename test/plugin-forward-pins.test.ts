/**
 * A trusted plugin forwards and pins as a person does, through messages.forward / pin / unpin /
 * pins: the same services, so the same copies, refusals, limits and system messages; forwarding
 * needs messages.send and messages.read, pinning messages.pin (and messages.read for the answer).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PINS_PER_CONVERSATION } from '../sdk/protocol/pins.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online } from './support/protocol-helpers.js';
import { fullHistory } from './support/e2e.js';
import { uploaded } from './support/attachment-helpers.js';
import {
  auditOf,
  botOf,
  enable,
  expectDenied,
  probeManifest,
  prober,
  roomWith,
  valueOf,
  type Probe,
} from './support/plugin-helpers.js';

const plugin = (id: string, permissions: string[]) =>
  enable(probeManifest(id, { permissions: Object.fromEntries(['commands', ...permissions].map((p) => [p, {}])) }));

describe('plugins forward and pin messages', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let bot: string;
  /** Ada, Bob and the bot: where Bob writes what the bot forwards. */
  let source: any;
  /** Ada and the bot: where the bot forwards to, and pins. */
  let room: any;
  let call: Probe;

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            plugin('pinner', ['messages.send', 'messages.read', 'messages.pin', 'messages.edit']),
            plugin('pinless', ['messages.send', 'messages.read']),
            plugin('blind', ['messages.send', 'messages.pin']),
          ],
        },
      },
    });
    [ada, bob] = await Promise.all([host.createUser(), host.createUser()]);
    source = await roomWith(host, ada, ['pinner'], [bob]);
    room = await roomWith(host, ada, ['pinner']);
    call = prober(host, ada, room.id);
    bot = await botOf(host, 'pinner');
  });
  afterAll(() => host?.stop());

  const sendAs = async (user: TestUser, conversationId: string, text: string, attachmentIds?: string[]) => {
    const res = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
      token: user.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text }, ...(attachmentIds ? { attachmentIds } : {}) },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.message;
  };
  const of = (m: { conversationId: string; id: string }) => ({ conversationId: m.conversationId, messageId: m.id });

  it('forwards as a person does: the bot’s message, marked forwarded, mentioning no one, with copies of the files', async () => {
    const file = await uploaded(host, bob, 'the minutes', 'minutes.txt');
    const original = await sendAs(bob, source.id, `@${ada.handle} see the minutes`, [file.id]);
    expect(original.entities).toHaveLength(1);
    const adas = await online(host, ada);
    const sent = valueOf(await call('messages.forward', room.id, of(original), { clientMsgId: 'fwd-1' }));
    expect(sent).toMatchObject({
      conversationId: room.id,
      senderId: bot,
      clientMsgId: 'fwd-1',
      content: { type: 'text', text: `@${ada.handle} see the minutes` },
      entities: [],
      forwarded: { at: original.createdAt },
    });
    // New attachment rows in the target, naming the same file.
    expect(sent.attachments).toHaveLength(1);
    expect(sent.attachments[0]).toMatchObject({ name: 'minutes.txt', size: file.size });
    expect(sent.attachments[0].id).not.toBe(file.id);

    const live = await adas.next((f) => f.type === 'message.created' && f.message.id === sent.id);
    expect(live.message).toMatchObject({ senderId: bot, entities: [], forwarded: { at: original.createdAt } });
    const target = (await host.http('GET', '/v1/conversations', { token: ada.token })).body.conversations.find(
      (c: { id: string }) => c.id === room.id,
    );
    expect(target.mentionCount).toBe(0);
    // A retry with the same clientMsgId is the stored forward, not a second one.
    expect(valueOf(await call('messages.forward', room.id, of(original), { clientMsgId: 'fwd-1' })).id).toBe(sent.id);
    expect((await auditOf(host, 'pinner')).map((e) => [e.capability, e.action, e.target])).toContainEqual([
      'messages',
      'forward',
      room.id,
    ]);
  });

  it('refuses what a person is refused: a source the bot cannot read, a target it is not in, bad ids', async () => {
    // The bot is not in Ada and Bob's direct conversation: the message is as unknown as a made-up id.
    const secret = await sendAs(bob, (await host.direct(ada, bob)).id, 'just us');
    expect(await call('messages.forward', room.id, of(secret))).toMatchObject({ ok: false, code: 'message_not_found' });
    expect(await call('messages.forward', room.id, { ...of(secret), messageId: randomUUID() })).toMatchObject({
      ok: false,
      code: 'message_not_found',
    });
    const mine = await sendAs(ada, room.id, 'forward me');
    const elsewhere = await host.createGroup(ada, [], 'No bot');
    expect(await call('messages.forward', elsewhere.id, of(mine))).toMatchObject({
      ok: false,
      code: 'conversation_not_found',
    });
    expect(await call('messages.forward', room.id, null)).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(await call('messages.forward', room.id, { ...of(mine), extra: 1 })).toMatchObject({
      ok: false,
      code: 'invalid_request',
    });
    expect(await call('messages.forward', room.id, { ...of(mine), messageId: 'x'.repeat(65) })).toMatchObject({
      ok: false,
      code: 'invalid_request',
    });
    const edited = valueOf(await call('messages.forward', room.id, of(mine)));
    expect(await call('messages.edit', room.id, edited.id, { type: 'text', text: 'changed' })).toMatchObject({
      ok: false,
      code: 'invalid_operation',
    });
  });

  it('pins and unpins as a member: each posts its system message from the bot, and pins() lists them', async () => {
    const adas = await online(host, ada);
    const target = await sendAs(ada, room.id, 'the plan');
    const pin = valueOf(await call('messages.pin', room.id, target.id));
    expect(pin).toMatchObject({ message: { id: target.id, content: { text: 'the plan' } }, pinnedBy: bot });
    const notice = await adas.next(
      (f) =>
        f.type === 'message.created' &&
        f.message.content.type === 'system.message_pinned' &&
        f.message.content.body.messageId === target.id,
    );
    expect(notice.message.senderId).toBe(bot);
    // Pinned already: the same pin, and no second announcement.
    expect(valueOf(await call('messages.pin', room.id, target.id))).toEqual(pin);
    expect(valueOf<any[]>(await call('messages.pins', room.id)).map((p) => p.message.id)).toEqual([target.id]);
    const asAda = await host.http('GET', `/v1/conversations/${room.id}/pins`, { token: ada.token });
    expect(asAda.body.pins).toEqual([pin]);

    expect(valueOf(await call('messages.unpin', room.id, target.id))).toBeNull();
    await adas.next(
      (f) =>
        f.type === 'message.created' &&
        f.message.content.type === 'system.message_unpinned' &&
        f.message.content.body.messageId === target.id,
    );
    expect(valueOf(await call('messages.pins', room.id))).toEqual([]);
    const pinned = (await fullHistory(host.url, ada.token, room.id)).filter(
      (m) => m.content.type === 'system.message_pinned',
    );
    expect(pinned).toHaveLength(1);
    const audit = (await auditOf(host, 'pinner')).map((e) => [e.action, e.target]);
    expect(audit).toEqual(
      expect.arrayContaining([
        ['pin', `${room.id}/${target.id}`],
        ['unpin', `${room.id}/${target.id}`],
      ]),
    );
  });

  it('keeps people’s rules: the pin limit, thread replies, and only conversations the bot is in', async () => {
    const full = await roomWith(host, ada, ['pinner']);
    const messages = [];
    for (let i = 0; i <= MAX_PINS_PER_CONVERSATION; i++) messages.push(await sendAs(ada, full.id, `m${i}`));
    for (const m of messages.slice(0, MAX_PINS_PER_CONVERSATION)) {
      const res = await host.http('PUT', `/v1/conversations/${full.id}/pins/${m.id}`, { token: ada.token });
      expect(res.status).toBe(200);
    }
    expect(await call('messages.pin', full.id, messages.at(-1).id)).toMatchObject({
      ok: false,
      code: 'pin_limit_reached',
    });
    const root = await sendAs(ada, room.id, 'a thread');
    const reply = await host.http('POST', `/v1/conversations/${room.id}/messages`, {
      token: ada.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text: 'in it' }, threadRootId: root.id },
    });
    expect(await call('messages.pin', room.id, reply.body.message.id)).toMatchObject({
      ok: false,
      code: 'invalid_operation',
    });
    const elsewhere = await host.createGroup(ada, [], 'No bot');
    const theirs = await sendAs(ada, elsewhere.id, 'out of reach');
    for (const op of ['messages.pin', 'messages.unpin'])
      expect(await call(op, elsewhere.id, theirs.id), op).toMatchObject({ ok: false, code: 'conversation_not_found' });
    expect(await call('messages.pins', elsewhere.id)).toMatchObject({ ok: false, code: 'conversation_not_found' });
    expect((await host.http('GET', `/v1/conversations/${elsewhere.id}/pins`, { token: ada.token })).body.pins).toEqual(
      [],
    );
  });

  it('refuses without the permissions, naming the one missing, and changes nothing', async () => {
    const pinlessRoom = (await roomWith(host, ada, ['pinless'])).id;
    const some = await sendAs(ada, pinlessRoom, 'pin me');
    const inPinless = prober(host, ada, pinlessRoom);
    expectDenied(await inPinless('messages.pin', pinlessRoom, some.id), 'messages.pin');
    expectDenied(await inPinless('messages.unpin', pinlessRoom, some.id), 'messages.pin');
    expect(valueOf(await inPinless('messages.pins', pinlessRoom))).toEqual([]);

    // Without messages.read: no forward (it copies words the bot reads), no pin (it answers the message), no list.
    const blindRoom = (await roomWith(host, ada, ['blind'])).id;
    const inBlind = prober(host, ada, blindRoom);
    const theirs = await sendAs(ada, blindRoom, 'read me');
    expectDenied(await inBlind('messages.forward', blindRoom, of(theirs)), 'messages.read');
    expectDenied(await inBlind('messages.pin', blindRoom, theirs.id), 'messages.read');
    expectDenied(await inBlind('messages.pins', blindRoom), 'messages.read');
    const history = await fullHistory(host.url, ada.token, blindRoom);
    expect(history.filter((m: any) => m.content.text === 'read me')).toHaveLength(1);
    expect(history.filter((m: any) => m.content.type === 'system.message_pinned')).toEqual([]);
    // Unpinning answers nothing of the message: messages.pin alone is enough.
    expect(await inBlind('messages.unpin', blindRoom, theirs.id)).toEqual({ ok: true, value: null });
  });
});

/**
 * Plugin capabilities, when granted: the plugin acts as its own bot user; it hashes with the host;
 * it sends, edits and reads messages, reads and manages conversations and looks up users, only in the
 * conversations its bot belongs to; people's messaging is unchanged; and it hears the events of its
 * conversations only, after they are committed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { online } from './support/protocol-helpers.js';
import {
  botOf,
  prober,
  readRecords,
  roomWith,
  valueOf,
  waitForRecord,
  waitForRecords,
  type Probe,
} from './support/plugin-helpers.js';
import { enabled, events } from './support/capability-plugins.js';

describe('plugin capabilities: granted', () => {
  let host: TestHost;
  let user: TestUser;
  let other: TestUser;
  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled } } });
    [user, other] = await Promise.all([host.createUser(), host.createUser()]);
  });
  afterAll(async () => {
    await host?.stop();
  });

  describe('when granted', () => {
    let room: any;
    let elsewhere: any;
    let call: Probe;
    let bot: string;
    beforeAll(async () => {
      room = await roomWith(host, user, ['full']);
      elsewhere = await host.createGroup(user, [], 'Without the bot');
      call = prober(host, user, room.id);
      bot = await botOf(host, 'full');
    });

    it('the plugin acts as its own bot user, with validated settings and their defaults', async () => {
      const { self, plugin } = valueOf(await call('self'));
      expect(self).toMatchObject({ id: bot, kind: 'bot', handle: 'full' });
      expect((await host.http('GET', `/v1/users/${bot}`, { token: user.token })).body).toEqual(self);
      // Nobody can log in as the bot.
      const login = await host.http('POST', '/v1/auth/login', {
        body: { handle: 'full', password: 'any-password-at-all' },
      });
      expect(login.status).toBe(401);
      expect(plugin).toEqual({ id: 'full', version: '1.0.0' });
      expect(valueOf(await call('settings'))).toMatchObject({
        greeting: 'hello',
        throwOnEvent: false,
        recordFile: events,
      });
    });

    it('hashes with the host: SHA-256, HMAC, random ids, and Argon2id secrets', async () => {
      expect(valueOf(await call('crypto.sha256', 'abc'))).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
      expect(valueOf(await call('crypto.hmacSha256', 'key', 'The quick brown fox jumps over the lazy dog'))).toBe(
        'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
      );
      expect(valueOf(await call('crypto.randomId'))).toMatch(/^[0-9a-f-]{36}$/);
      const hash = valueOf(await call('crypto.hashSecret', '4711'));
      expect(hash).toMatch(/^\$argon2id\$/);
      expect(valueOf(await call('crypto.verifySecret', hash, '4711'))).toBe(true);
      expect(valueOf(await call('crypto.verifySecret', hash, '4712'))).toBe(false);
      expect(await call('crypto.sha256', { not: 'text' })).toMatchObject({ ok: false, code: 'invalid_request' });
      // UTF-8 would turn a lone surrogate into U+FFFD: '\ud800' and '\ufffd' must not hash (or verify) alike.
      expect(await call('crypto.sha256', '\ud800')).toMatchObject({ ok: false, code: 'invalid_request' });
      expect(await call('crypto.hmacSha256', 'k\udfff', 'x')).toMatchObject({ ok: false, code: 'invalid_request' });
      const replaced = valueOf(await call('crypto.hashSecret', '\ufffd'));
      expect(await call('crypto.verifySecret', replaced, '\ud800')).toMatchObject({
        ok: false,
        code: 'invalid_request',
      });
    });

    it('sends, edits and reads messages in its conversations, and nowhere else', async () => {
      const client = await online(host, user);
      const sent = valueOf(await call('messages.send', room.id, { type: 'text', text: 'beep' }));
      expect(sent).toMatchObject({ conversationId: room.id, senderId: bot, content: { type: 'text', text: 'beep' } });
      await client.collect((f) => f.type === 'message.created' && f.message.id === sent.id, 1);
      const edited = valueOf(await call('messages.edit', room.id, sent.id, { type: 'text', text: 'boop' }));
      expect(edited).toMatchObject({ id: sent.id, content: { type: 'text', text: 'boop' } });
      const { messages } = valueOf(await call('messages.history', room.id, { limit: 100 }));
      expect(messages.map((m: any) => m.id)).toContain(sent.id);

      const theirs = (await client.sendText(room.id, 'not yours')).message;
      expect((await call('messages.edit', room.id, theirs.id, { type: 'text', text: 'hijacked' })).ok).toBe(false);
      expect(await call('messages.send', elsewhere.id, { type: 'text', text: 'intruding' })).toMatchObject({
        ok: false,
        code: 'conversation_not_found',
      });
      expect(await call('messages.history', elsewhere.id)).toMatchObject({ ok: false, code: 'conversation_not_found' });
      const outsiders = (await client.sendText(elsewhere.id, 'out of reach')).message;
      expect(await call('messages.edit', elsewhere.id, outsiders.id, { type: 'text', text: 'reached' })).toMatchObject({
        ok: false,
        code: 'conversation_not_found',
      });
      expect(
        (await fullHistory(host.url, user.token, elsewhere.id)).map((m) => m.content.text ?? m.content.type),
      ).not.toContain('intruding');
      expect(
        (await fullHistory(host.url, user.token, elsewhere.id)).find((m) => m.id === outsiders.id).content.text,
      ).toBe('out of reach');
      expect((await fullHistory(host.url, user.token, room.id)).find((m) => m.id === theirs.id).content.text).toBe(
        'not yours',
      );
    });

    it('sends idempotently with a clientMsgId, and replies to messages', async () => {
      const first = valueOf(
        await call('messages.send', room.id, { type: 'text', text: 'once' }, { clientMsgId: 'bot-once' }),
      );
      const again = valueOf(
        await call('messages.send', room.id, { type: 'text', text: 'once' }, { clientMsgId: 'bot-once' }),
      );
      expect(again.id).toBe(first.id);
      expect(
        (await fullHistory(host.url, user.token, room.id)).filter((m) => m.clientMsgId === 'bot-once'),
      ).toHaveLength(1);
      const reply = valueOf(
        await call('messages.send', room.id, { type: 'text', text: 'replying' }, { replyToId: first.id }),
      );
      expect(reply.replyToId).toBe(first.id);
    });

    it('reads only the conversations it belongs to', async () => {
      const listed = valueOf<any[]>(await call('conversations.list')).map((c) => c.id);
      expect(listed).toContain(room.id);
      expect(listed).not.toContain(elsewhere.id);
      expect(valueOf(await call('conversations.get', room.id))).toMatchObject({ id: room.id, kind: 'group' });
      expect(await call('conversations.get', elsewhere.id)).toMatchObject({
        ok: false,
        code: 'conversation_not_found',
      });
      expect(
        valueOf<any[]>(await call('conversations.members', room.id))
          .map((m) => m.userId)
          .sort(),
      ).toEqual([user.id, bot].sort());
      expect(await call('conversations.members', elsewhere.id)).toMatchObject({
        ok: false,
        code: 'conversation_not_found',
      });
    });

    it('creates direct and group conversations as the bot, and manages the groups it owns', async () => {
      const direct = valueOf(await call('conversations.direct', other.id));
      expect(direct.kind).toBe('direct');
      expect((await host.http('GET', `/v1/conversations/${direct.id}`, { token: other.token })).status).toBe(200);
      const group = valueOf(await call('conversations.createGroup', 'Run by a bot', [user.id]));
      expect(group).toMatchObject({ kind: 'group', title: 'Run by a bot', myRole: 'owner', memberCount: 2 });
      expect(valueOf(await call('conversations.addMembers', group.id, [other.id])).memberCount).toBe(3);
      expect((await call('conversations.removeMember', group.id, other.id)).ok).toBe(true);
      expect((await host.http('GET', `/v1/conversations/${group.id}`, { token: other.token })).status).toBe(404);
      // In the user's room the bot is a plain member.
      expect(await call('conversations.addMembers', room.id, [other.id])).toMatchObject({
        ok: false,
        code: 'insufficient_role',
      });
      expect(await call('conversations.addMembers', elsewhere.id, [other.id])).toMatchObject({
        ok: false,
        code: 'conversation_not_found',
      });
    });

    it("people's messaging works unchanged in a conversation whose bot listens to every event", async () => {
      const [ca, co] = await Promise.all([online(host, user), online(host, other)]);
      await host.http('POST', `/v1/conversations/${room.id}/members`, {
        token: user.token,
        body: { userIds: [other.id] },
      });
      const { message } = await ca.sendText(room.id, 'listened to');
      const edited = (
        await ca.request({
          type: 'edit',
          conversationId: room.id,
          messageId: message.id,
          content: { type: 'text', text: 'listened to, edited' },
        })
      ).message;
      const reacted = (
        await co.request({ type: 'react', conversationId: room.id, messageId: message.id, emoji: '👍', op: 'add' })
      ).message;
      const deleted = (await ca.request({ type: 'delete', conversationId: room.id, messageId: message.id })).message;
      expect([edited.pts, reacted.pts, deleted.pts]).toEqual([message.pts + 1, message.pts + 2, message.pts + 3]);
      await co.collect((f) => f.type === 'message.updated' && f.message.id === message.id && f.change === 'deleted', 1);
      const late = await host.connect(other.token);
      const resumed = await late.request({
        type: 'resume',
        conversations: [{ conversationId: room.id, pts: message.pts - 1 }],
      });
      expect(resumed.conversations[0]).toMatchObject({ status: 'caught_up', pts: deleted.pts });
      expect(late.frames.filter((f) => f.message?.id === message.id).map((f) => f.message)).toEqual([deleted]);
      await host.http('DELETE', `/v1/conversations/${room.id}/members/${other.id}`, { token: user.token });
    });

    it('looks up public user profiles', async () => {
      const byId = valueOf(await call('users.get', other.id));
      expect(byId).toEqual({
        id: other.id,
        handle: other.handle,
        displayName: other.displayName,
        kind: 'person',
        createdAt: expect.any(String),
        avatarUrl: null,
      });
      expect(valueOf(await call('users.byHandle', other.handle))).toEqual(byId);
      expect(await call('users.get', randomUUID())).toMatchObject({ ok: false, code: 'user_not_found' });
    });

    it('receives events of its conversations only, after they are committed', async () => {
      const client = await online(host, user);
      const count = (pred: (r: any) => boolean) => readRecords(events).filter(pred).length;
      const addedOther = (r: any) =>
        r.name === 'conversation.member_added' && r.conversationId === room.id && r.userIds?.includes(other.id);
      const removedOther = (r: any) =>
        r.name === 'conversation.member_removed' && r.conversationId === room.id && r.userId === other.id;

      const outside = (await client.sendText(elsewhere.id, 'the bot is not here')).message;
      const inside = (await client.sendText(room.id, 'the bot is here')).message;
      const created = await waitForRecord(events, (r) => r.name === 'message.created' && r.messageId === inside.id);
      expect(created.committed).toBe(true);
      const added = count(addedOther);
      await host.http('POST', `/v1/conversations/${room.id}/members`, {
        token: user.token,
        body: { userIds: [other.id] },
      });
      expect((await waitForRecords(events, addedOther, added + 1)).at(-1).userIds).toEqual([other.id]);
      const seen = valueOf<any[]>(await call('events'));
      expect(seen.filter((e) => e.messageId === outside.id || e.conversationId === elsewhere.id)).toEqual([]);

      await client.request({
        type: 'edit',
        conversationId: room.id,
        messageId: inside.id,
        content: { type: 'text', text: 'edited' },
      });
      await waitForRecord(events, (r) => r.name === 'message.updated' && r.messageId === inside.id);
      const removed = count(removedOther);
      await host.http('DELETE', `/v1/conversations/${room.id}/members/${other.id}`, { token: user.token });
      await waitForRecords(events, removedOther, removed + 1);

      // Unsubscribing stops one kind of event; the others keep coming.
      expect(valueOf(await call('events.off', 'message.created'))).toBe(true);
      const unheard = (await client.sendText(room.id, 'nobody listens')).message;
      const addedAgain = count(addedOther);
      await host.http('POST', `/v1/conversations/${room.id}/members`, {
        token: user.token,
        body: { userIds: [other.id] },
      });
      await waitForRecords(events, addedOther, addedAgain + 1);
      expect(readRecords(events).filter((r) => r.messageId === unheard.id && r.name === 'message.created')).toEqual([]);
    });
  });
});

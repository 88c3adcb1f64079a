/**
 * Plugin capabilities: every capability method refuses with PermissionDeniedError when its permission
 * was not requested or was refused by the operator, with no side effect; granted calls work, and
 * only in the conversations the plugin's bot belongs to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { online } from './support/protocol-helpers.js';
import {
  ALL_PERMISSIONS,
  EVENT_NAMES,
  botOf,
  enable,
  expectDenied,
  listPlugins,
  pluginStatus,
  probeManifest,
  prober,
  recordFile,
  readRecords,
  registrations,
  roomWith,
  runCommand,
  valueOf,
  waitForRecord,
  waitForRecords,
  type Probe,
} from './support/plugin-helpers.js';

const hooks = [{ failMode: 'open' as const }];
const everythingButCommands = Object.fromEntries(
  Object.keys(ALL_PERMISSIONS)
    .filter((p) => p !== 'commands')
    .map((p) => [p, false as const]),
);
const tryAtStart = { subscribe: ['message.created'] as any, hook: { action: 'allow' as const } };
const events = recordFile('events');

const enabled = [
  // Requests only `commands`, so it can be probed; tries events and a hook at start.
  enable(probeManifest('bare', { hooks }), { settings: tryAtStart }),
  // Requests everything; the operator refuses everything but `commands`.
  enable(probeManifest('refused', { hooks, permissions: ALL_PERMISSIONS }), {
    settings: tryAtStart,
    grants: everythingButCommands,
  }),
  // Cannot answer commands: one never asked, the other was refused.
  enable(probeManifest('silent', { permissions: {} })),
  enable(probeManifest('muted', { permissions: ALL_PERMISSIONS }), { grants: { commands: false } }),
  // Asks for two events; the operator narrows the grant to one.
  enable(
    probeManifest('narrowed', {
      permissions: { commands: {}, events: { events: ['message.created', 'message.updated'] } },
    }),
    { grants: { events: { events: ['message.created'] } } },
  ),
  // Asks for `commands` only; the operator's grants of permissions it did not ask for grant nothing.
  enable(probeManifest('meddler'), { grants: { 'users.read': {}, storage: { quotaBytes: 100 } } }),
  // Everything requested and granted.
  enable(probeManifest('full', { hooks, permissions: ALL_PERMISSIONS }), {
    settings: { subscribe: EVENT_NAMES, recordFile: events },
  }),
];

describe('plugin capabilities', () => {
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

  it('starts every plugin, since a missing permission is no reason to fail', async () => {
    expect((await listPlugins(host)).map((p) => [p.id, p.status])).toEqual(
      expect.arrayContaining(
        ['bare', 'refused', 'silent', 'muted', 'narrowed', 'meddler', 'full'].map((id) => [id, 'running']),
      ),
    );
  });

  describe.each([
    ['not requested', 'bare'],
    ['refused by the operator', 'refused'],
  ])('when a permission was %s', (_how, pluginId) => {
    let room: any;
    let call: Probe;
    let someMessage: any;
    beforeAll(async () => {
      room = await roomWith(host, user, [pluginId]);
      someMessage = (
        await host.http('POST', `/v1/conversations/${room.id}/messages`, {
          token: user.token,
          body: { clientMsgId: `m-${pluginId}`, content: { type: 'text', text: 'mine' } },
        })
      ).body.message;
      call = prober(host, user, room.id);
    });

    const cases: [string, string, () => unknown[]][] = [
      ['messages.send', 'messages.send', () => [room.id, { type: 'text', text: 'sneaky' }]],
      ['messages.edit', 'messages.edit', () => [room.id, someMessage.id, { type: 'text', text: 'changed' }]],
      ['messages.history', 'messages.read', () => [room.id]],
      ['conversations.list', 'conversations.read', () => []],
      ['conversations.get', 'conversations.read', () => [room.id]],
      ['conversations.members', 'conversations.read', () => [room.id]],
      ['conversations.direct', 'conversations.manage', () => [user.id]],
      ['conversations.createGroup', 'conversations.manage', () => ['Bot group', [user.id]]],
      ['conversations.addMembers', 'conversations.manage', () => [room.id, [other.id]]],
      ['conversations.removeMember', 'conversations.manage', () => [room.id, user.id]],
      ['users.get', 'users.read', () => [user.id]],
      ['users.byHandle', 'users.read', () => [user.handle]],
      ['users.presence', 'presence', () => [[user.id]]],
      ['storage.get', 'storage', () => ['key']],
      ['storage.set', 'storage', () => ['key', 'value']],
      ['storage.delete', 'storage', () => ['key']],
      ['storage.list', 'storage', () => ['']],
      ['storage.usage', 'storage', () => []],
      ['database.table', 'database', () => ['accounts']],
      ['database.transaction', 'database', () => ['not a function']],
      ['crypto.hashSecret', 'secrets', () => ['1234']],
      ['crypto.verifySecret', 'secrets', () => ['$argon2id$v=19$m=19456,t=2,p=1$x$y', '1234']],
      ['http.fetch', 'http.outbound', () => ['http://127.0.0.1:9/']],
      ['events.on', 'events', () => ['message.created']],
      ['hooks.beforeStore', 'hooks', () => []],
    ];
    it.each(cases)('%s throws PermissionDeniedError naming "%s"', async (op, permission, args) => {
      expectDenied(await call(op, ...args()), permission);
    });

    it('registrations throw synchronously, at start as at any later time', async () => {
      for (const op of ['events.on', 'hooks.beforeStore'])
        expect(await call(op, 'message.created')).toMatchObject({ sync: true });
      const atStart = await registrations(host, pluginId);
      expect(atStart['events.on:message.created']).toMatchObject({
        ok: false,
        code: 'permission_denied',
        permission: 'events',
        sync: true,
      });
      expect(atStart['hooks.beforeStore']).toMatchObject({
        ok: false,
        code: 'permission_denied',
        permission: 'hooks',
        sync: true,
      });
    });

    it('the denied calls changed nothing', async () => {
      const bot = await botOf(host, pluginId);
      const history = await fullHistory(host.url, user.token, room.id);
      expect(history.filter((m) => m.senderId === bot || m.content?.text === 'sneaky')).toEqual([]);
      expect(history.find((m) => m.id === someMessage.id).content).toEqual({ type: 'text', text: 'mine' });
      const members = (await host.http('GET', `/v1/conversations/${room.id}/members`, { token: user.token })).body
        .members;
      expect(members.map((m: any) => m.userId).sort()).toEqual([user.id, bot].sort());
      const mine = (await host.http('GET', '/v1/conversations', { token: user.token })).body.conversations;
      expect(mine.filter((c: any) => c.title === 'Bot group' || c.kind === 'direct')).toEqual([]);
    });
  });

  it('tells the plugin and the operator which permissions were granted and which refused', async () => {
    const refused = Object.keys(everythingButCommands).sort();
    const inRefused = valueOf(
      await prober(host, user, (await roomWith(host, user, ['refused'])).id)('permissions', 'storage', 'commands'),
    );
    expect(inRefused.granted).toEqual(['commands']);
    expect([...inRefused.refused].sort()).toEqual(refused);
    expect(inRefused.has).toEqual({ storage: false, commands: true });
    expect(await pluginStatus(host, 'refused')).toMatchObject({ granted: ['commands'] });
    expect([...(await pluginStatus(host, 'refused')).refused].sort()).toEqual(refused);
    expect(await pluginStatus(host, 'bare')).toMatchObject({ granted: ['commands'], refused: [] });
  });

  it('a plugin without the commands permission cannot register its command, so nobody can call it', async () => {
    for (const id of ['silent', 'muted']) {
      expect((await registrations(host, id))['commands.handle:probe'], id).toMatchObject({
        ok: false,
        code: 'permission_denied',
        permission: 'commands',
        sync: true,
      });
      const room = await roomWith(host, user, [id]);
      const answer = await runCommand(host, user, room.id, '/probe self []');
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('command_not_found');
    }
  });

  it('events are granted only for the names in the (narrowed) scope', async () => {
    const call = prober(host, user, (await roomWith(host, user, ['narrowed'])).id);
    expect(valueOf(await call('events.on', 'message.created'))).toBe('registered');
    expectDenied(await call('events.on', 'message.updated'), 'events');
    expectDenied(await call('events.on', 'conversation.member_added'), 'events');
  });

  it('grants only what was both requested and granted, and a plugin cannot widen that itself', async () => {
    const call = prober(host, user, (await roomWith(host, user, ['meddler'])).id);
    expect(await pluginStatus(host, 'meddler')).toMatchObject({ granted: ['commands'], refused: [] });
    expectDenied(await call('users.get', user.id), 'users.read');
    expectDenied(await call('storage.get', 'k'), 'storage');
    expect((await call('tamper')).ok).toBe(true);
    expectDenied(await call('users.get', user.id), 'users.read');
    expectDenied(await call('storage.set', 'k', 1), 'storage');
    expect(valueOf(await call('self')).plugin).toEqual({ id: 'meddler', version: '1.0.0' });
    expect((await pluginStatus(host, 'meddler')).granted).toEqual(['commands']);
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

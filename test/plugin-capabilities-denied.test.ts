/**
 * Plugin capabilities, when denied: every plugin starts even without a permission; every capability
 * method refuses with PermissionDeniedError when its permission was not requested or was refused by
 * the operator, with no side effect; the plugin and the operator see what was granted and refused;
 * and a grant is never wider than what was both requested and granted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import {
  botOf,
  expectDenied,
  listPlugins,
  pluginStatus,
  prober,
  registrations,
  roomWith,
  runCommand,
  valueOf,
  type Probe,
} from './support/plugin-helpers.js';
import { enabled, everythingButCommands } from './support/capability-plugins.js';

describe('plugin capabilities: denied', () => {
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
      ['messages.forward', 'messages.send', () => [room.id, { conversationId: room.id, messageId: someMessage.id }]],
      ['messages.pin', 'messages.pin', () => [room.id, someMessage.id]],
      ['messages.unpin', 'messages.pin', () => [room.id, someMessage.id]],
      ['messages.pins', 'messages.read', () => [room.id]],
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
    it.each(cases)('%s throws PermissionDeniedError naming "%s" and the fix', async (op, permission, args) => {
      const outcome = await call(op, ...args());
      expectDenied(outcome, permission);
      // The fix the message gives is the one for its rule ("refused" requests all but database).
      const message = outcome.ok === false ? outcome.message : '';
      expect(message).toContain(
        message.includes('(refused by the operator)') ? 'Ask the operator to grant it' : 'Request it in the manifest',
      );
      if (pluginId === 'refused' && permission !== 'database') expect(message).toContain('(refused by the operator)');
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
});

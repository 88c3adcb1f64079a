/**
 * Plugin lifecycle: start in dependency order, disable and enable at runtime, failures that stay
 * inside the plugin, the audit log of side effects and the per-plugin log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { online } from './support/protocol-helpers.js';
import { eventually } from './support/eventually.js';
import {
  ALL_PERMISSIONS,
  LIFECYCLE_ENTRY,
  auditOf,
  botOf,
  enable,
  pluginLogs,
  pluginStatus,
  probeManifest,
  prober,
  readRecords,
  recordFile,
  roomWith,
  runCommand,
  valueOf,
  waitForRecord,
} from './support/plugin-helpers.js';

const starts = recordFile('starts');
const life = recordFile('life');
const ordered = (id: string, dependencies: Record<string, string>) =>
  enable(probeManifest(id, { command: id, dependencies }), { settings: { command: id, recordFile: starts } });

const plugins = [
  // Listed dependents first: the host must sort them.
  ordered('ord-c', { 'ord-b': '^1.0.0' }),
  ordered('ord-d', { 'ord-a': '1.x' }),
  ordered('ord-b', { 'ord-a': '>=1.0.0' }),
  ordered('ord-a', {}),
  enable(
    probeManifest('life', {
      entry: LIFECYCLE_ENTRY,
      command: 'life',
      hooks: [{ failMode: 'open' }],
      permissions: { commands: {}, hooks: {}, storage: {}, events: { events: ['message.created'] } },
    }),
    {
      settings: {
        command: 'life',
        recordFile: life,
        subscribe: ['message.created'],
        hook: { when: 'decorate', action: 'append', text: ' (life)' },
      },
    },
  ),
  enable(
    probeManifest('fragile', {
      command: 'fragile',
      permissions: { commands: {}, events: { events: ['message.created'] } },
    }),
    { settings: { command: 'fragile', subscribe: ['message.created'], throwOnEvent: true } },
  ),
  enable(probeManifest('auditor', { command: 'auditor', permissions: ALL_PERMISSIONS }), {
    settings: { command: 'auditor' },
  }),
  enable(probeManifest('crashy'), { settings: { failStart: 'crashy will not start' } }),
  enable(probeManifest('needs-crashy', { dependencies: { crashy: '^1.0.0' } })),
];

describe('plugin lifecycle', () => {
  let host: TestHost;
  let user: TestUser;
  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled: plugins } } });
    user = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('starts dependencies before the plugins that depend on them', () => {
    const order = readRecords(starts)
      .filter((r) => r.event === 'start')
      .map((r) => r.plugin);
    expect([...order].sort()).toEqual(['ord-a', 'ord-b', 'ord-c', 'ord-d']);
    expect(order.indexOf('ord-a')).toBeLessThan(order.indexOf('ord-b'));
    expect(order.indexOf('ord-b')).toBeLessThan(order.indexOf('ord-c'));
    expect(order.indexOf('ord-a')).toBeLessThan(order.indexOf('ord-d'));
  });

  it('a plugin that throws in start() fails, and so does what needs it, but nothing else', async () => {
    expect(await pluginStatus(host, 'crashy')).toMatchObject({
      status: 'failed',
      error: { code: 'plugin_start_failed' },
    });
    expect((await pluginStatus(host, 'needs-crashy')).status).toBe('failed');
    expect(JSON.stringify(await pluginLogs(host, 'crashy'))).toContain('crashy will not start');
    for (const id of ['ord-a', 'ord-b', 'ord-c', 'ord-d', 'life', 'fragile', 'auditor']) {
      expect((await pluginStatus(host, id)).status, id).toBe('running');
    }
  });

  describe('disable and enable at runtime', () => {
    let room: any;
    let missed: string;
    beforeAll(async () => {
      room = await roomWith(host, user, ['life']);
    });
    const events = () =>
      readRecords(life)
        .filter((r) => r.event === 'event')
        .map((r) => r.messageId);

    it('while running: answers its command, sees events, runs its hook', async () => {
      expect(valueOf(await prober(host, user, room.id, 'life')('self')).plugin.id).toBe('life');
      const client = await online(host, user);
      const { message } = await client.sendText(room.id, 'decorate me');
      expect(message.content.text).toBe('decorate me (life)');
      await waitForRecord(life, (r) => r.event === 'event' && r.messageId === message.id);
      expect(valueOf(await prober(host, user, room.id, 'life')('storage.set', 'kept', 'across restarts'))).toEqual({
        version: 1,
      });
    });

    it('disable calls stop(), and its command, events and hook stop at once', async () => {
      const disabled = await host.http('POST', '/v1/admin/plugins/life/disable', { token: 'admin' });
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ id: 'life', status: 'disabled' });
      expect(readRecords(life).filter((r) => r.event === 'stop')).toHaveLength(1);
      expect((await pluginStatus(host, 'life')).status).toBe('disabled');

      const answer = await runCommand(host, user, room.id, '/life self []');
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('command_not_found');
      const client = await online(host, user);
      const { message } = await client.sendText(room.id, 'decorate me while you sleep');
      expect(message.content.text).toBe('decorate me while you sleep');
      missed = message.id;
    });

    it('enable calls start() again and everything resumes; events missed meanwhile never arrive', async () => {
      const enabled = await host.http('POST', '/v1/admin/plugins/life/enable', { token: 'admin' });
      expect(enabled.status).toBe(200);
      expect(enabled.body).toMatchObject({ id: 'life', status: 'running', error: null });
      expect(readRecords(life).filter((r) => r.event === 'start')).toHaveLength(2);
      expect(valueOf(await prober(host, user, room.id, 'life')('self')).plugin.id).toBe('life');
      const client = await online(host, user);
      const { message } = await client.sendText(room.id, 'decorate me again');
      expect(message.content.text).toBe('decorate me again (life)');
      const marker = (await client.sendText(room.id, 'marker')).message;
      await waitForRecord(life, (r) => r.event === 'event' && r.messageId === marker.id);
      expect(events()).not.toContain(missed);
      // Handlers of the first start are gone: each event arrives once.
      expect(events().filter((id) => id === message.id)).toHaveLength(1);
      expect(valueOf(await prober(host, user, room.id, 'life')('storage.get', 'kept'))).toMatchObject({
        value: 'across restarts',
      });
    });

    it('enabling a running plugin, or disabling a disabled one, changes nothing', async () => {
      const starts = () => readRecords(life).filter((r) => r.event === 'start').length;
      const stops = () => readRecords(life).filter((r) => r.event === 'stop').length;
      const [startsBefore, stopsBefore] = [starts(), stops()];
      expect((await host.http('POST', '/v1/admin/plugins/life/enable', { token: 'admin' })).body.status).toBe(
        'running',
      );
      expect(starts()).toBe(startsBefore);
      await host.http('POST', '/v1/admin/plugins/life/disable', { token: 'admin' });
      expect((await host.http('POST', '/v1/admin/plugins/life/disable', { token: 'admin' })).body.status).toBe(
        'disabled',
      );
      expect(stops()).toBe(stopsBefore + 1);
      await host.http('POST', '/v1/admin/plugins/life/enable', { token: 'admin' });
      expect(starts()).toBe(startsBefore + 1);
      const client = await online(host, user);
      expect((await client.sendText(room.id, 'decorate once')).message.content.text).toBe('decorate once (life)');
    });

    it('a disabled dependency leaves its dependents running, but a dependent cannot be enabled without it', async () => {
      const post = async (id: string, action: string) =>
        (await host.http('POST', `/v1/admin/plugins/${id}/${action}`, { token: 'admin' })).body;
      expect((await post('ord-a', 'disable')).status).toBe('disabled');
      expect((await pluginStatus(host, 'ord-b')).status).toBe('running');
      await post('ord-b', 'disable');
      expect(await post('ord-b', 'enable')).toMatchObject({
        status: 'failed',
        error: { code: 'plugin_dependency_missing' },
      });
      expect((await post('ord-a', 'enable')).status).toBe('running');
      expect(await post('ord-b', 'enable')).toMatchObject({ status: 'running', error: null });
    });

    it('answers 404 plugin_not_found for an unknown plugin', async () => {
      for (const path of ['/v1/admin/plugins/nope/disable', '/v1/admin/plugins/nope/enable']) {
        const res = await host.http('POST', path, { token: 'admin' });
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('plugin_not_found');
      }
      expect((await host.http('GET', '/v1/admin/plugins/nope/logs', { token: 'admin' })).body.error.code).toBe(
        'plugin_not_found',
      );
    });

    it('is for the operator only', async () => {
      expect((await host.http('POST', '/v1/admin/plugins/life/disable', { token: user.token })).status).toBe(403);
      expect((await host.http('GET', '/v1/admin/plugins', { token: user.token })).status).toBe(403);
      expect((await pluginStatus(host, 'life')).status).toBe('running');
    });
  });

  it('a command handler that throws fails that command with plugin_failed and harms nothing else', async () => {
    const room = await roomWith(host, user, ['fragile', 'ord-a']);
    const overHttp = await runCommand(host, user, room.id, '/fragile throw []');
    expect(overHttp.status).toBe(502);
    expect(overHttp.body.error.code).toBe('plugin_failed');
    const client = await online(host, user);
    const frame = await client
      .request({ type: 'command', conversationId: room.id, text: '/fragile throw []' })
      .catch((e) => e.error);
    expect(frame.code).toBe('plugin_failed');
    expect(valueOf(await prober(host, user, room.id, 'ord-a')('self')).plugin.id).toBe('ord-a');
    expect(valueOf(await prober(host, user, room.id, 'fragile')('self')).plugin.id).toBe('fragile');
    expect(JSON.stringify(await pluginLogs(host, 'fragile'))).toContain('the probe command handler exploded');
  });

  it('an event handler that throws harms neither the message nor other plugins', async () => {
    const room = await roomWith(host, user, ['fragile', 'life']);
    const client = await online(host, user);
    const { message } = await client.sendText(room.id, 'fragile sees this and throws');
    await waitForRecord(life, (r) => r.event === 'event' && r.messageId === message.id);
    expect((await fullHistory(host.url, user.token, room.id)).map((m) => m.id)).toContain(message.id);
    expect(valueOf(await prober(host, user, room.id, 'fragile')('events')).map((e: any) => e.messageId)).toContain(
      message.id,
    );
    // The failure is logged against the plugin.
    await eventually(
      async () => JSON.stringify(await pluginLogs(host, 'fragile')).includes('the probe event handler exploded'),
      { intervalMs: 50, what: 'the failure in the log of fragile' },
    );
  });

  it('stops delivering events of a conversation once the bot has left it', async () => {
    const room = await roomWith(host, user, ['life']);
    const client = await online(host, user);
    const before = (await client.sendText(room.id, 'the bot is here')).message;
    await waitForRecord(life, (r) => r.event === 'event' && r.messageId === before.id);
    expect(
      (
        await host.http('DELETE', `/v1/conversations/${room.id}/members/${await botOf(host, 'life')}`, {
          token: user.token,
        })
      ).status,
    ).toBe(204);
    const after = (await client.sendText(room.id, 'the bot is gone')).message;
    const elsewhere = await roomWith(host, user, ['life']);
    const marker = (await client.sendText(elsewhere.id, 'marker')).message;
    await waitForRecord(life, (r) => r.event === 'event' && r.messageId === marker.id);
    expect(readRecords(life).filter((r) => r.messageId === after.id)).toEqual([]);
  });

  it('audits every side effect, newest first, per plugin', async () => {
    const other = await host.createUser();
    const room = await roomWith(host, user, ['auditor']);
    const call = prober(host, user, room.id, 'auditor');
    const sent = valueOf(await call('messages.send', room.id, { type: 'text', text: 'audited' }));
    await call('messages.edit', room.id, sent.id, { type: 'text', text: 'audited, edited' });
    await call('storage.set', 'audit-key', 1);
    await call('storage.get', 'audit-key');
    await call('messages.history', room.id);
    await call('storage.delete', 'audit-key');
    const direct = valueOf(await call('conversations.direct', other.id));
    const group = valueOf(await call('conversations.createGroup', 'Audited group', [user.id]));
    await call('conversations.addMembers', group.id, [other.id]);
    await call('conversations.removeMember', group.id, other.id);

    const entries = await auditOf(host, 'auditor');
    // Reads (storage.get, messages.history) are not side effects.
    expect(entries.map((e) => e.action)).toEqual([
      'removeMember',
      'addMembers',
      'createGroup',
      'direct',
      'delete',
      'set',
      'edit',
      'send',
    ]);
    expect(entries.slice(4).map((e) => e.target)).toEqual(['audit-key', 'audit-key', sent.id, room.id]);
    // Conversation changes name the conversation, or both conversation and user (removeMember).
    expect(entries.slice(0, 3).map((e) => e.target)).toEqual([`${group.id}/${other.id}`, group.id, group.id]);
    // `direct` names the direct conversation, as docs/plugins.md says.
    expect(entries[3]!.target).toBe(direct.id);
    expect(entries.map((e) => e.capability)).toEqual([
      'conversations',
      'conversations',
      'conversations',
      'conversations',
      'storage',
      'storage',
      'messages',
      'messages',
    ]);
    for (const e of entries)
      expect(e).toMatchObject({ pluginId: 'auditor', id: expect.anything(), at: expect.any(String) });
    expect((await auditOf(host, 'auditor', 2)).map((e) => e.action)).toEqual(['removeMember', 'addMembers']);
    const page = await host.http('GET', `/v1/admin/audit?pluginId=auditor&before=${entries[1]!.id}&limit=2`, {
      token: 'admin',
    });
    expect(page.body.entries.map((e: any) => e.action)).toEqual(['createGroup', 'direct']);
    expect(await auditOf(host, 'ord-b')).toEqual([]);
  });

  it("keeps each plugin's log lines, newest last", async () => {
    const room = await roomWith(host, user, ['ord-c']);
    const call = prober(host, user, room.id, 'ord-c');
    await call('log', 'info', 'first line', { n: 1 });
    await call('log', 'warn', 'second line', { n: 2 });
    await call('log', 'error', 'third line');
    const lines = await pluginLogs(host, 'ord-c', 2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'warn', message: 'second line', data: { n: 2 } });
    expect(lines[1]).toMatchObject({ level: 'error', message: 'third line' });
    expect(typeof lines[0]!.at).toBe('string');
    expect((await pluginLogs(host, 'ord-b')).map((l) => l.message)).not.toContain('first line');
  });
});

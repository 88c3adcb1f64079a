/**
 * The operator's queue of reports (/v1/admin/reports): open reports newest first in pages, with
 * reporter, person reported, reason and snapshot; resolving one by dismissing it, deleting the
 * message (a tombstone members hear of) or deactivating the person, recorded with who, when and
 * how. The snapshot outlives the sender's deletion. Metrics and log lines follow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogger } from './support/captured-logger.js';
import { closeCodeWithin } from './support/e2e.js';
import { METRICS_TOKEN, sample, scrape } from './support/metrics-helpers.js';
import { expectError, queue, report, reported, resolve } from './support/report-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';

describe('reports: the operator reviews them', () => {
  const log = capturedLogger('info');
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let group: { id: string };

  beforeAll(async () => {
    host = await startTestHost({ config: { metrics: { token: METRICS_TOKEN } }, logger: log.logger });
    [ada, bob, carol] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    group = await host.createGroup(ada, [bob, carol]);
  });
  afterAll(() => host?.stop());

  async function bobSays(text: string): Promise<any> {
    const res = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: bob.token,
      body: { clientMsgId: `bob-${text}`, content: { type: 'text', text } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.message;
  }
  const reportMessage = (user: TestUser, message: { id: string }, reason = 'spam') =>
    reported(host, user, { conversationId: group.id, messageId: message.id, reason });

  it('lists open reports newest first, in pages, for the admin token only', async () => {
    const made = [];
    for (const text of ['page one', 'page two', 'page three']) made.push(await reportMessage(ada, await bobSays(text)));
    const first = await queue(host, '?limit=2');
    expect(first.reports.map((r) => r.id)).toEqual([made[2].id, made[1].id]);
    expect(first.hasMore).toBe(true);
    expect(first.reports[0]).toMatchObject({
      reason: 'spam',
      message: { content: { type: 'text', text: 'page three' }, senderId: bob.id },
      reporter: { id: ada.id },
      user: { id: bob.id },
    });
    const next = await queue(host, `?limit=2&before=${first.reports[1].id}`);
    expect(next.reports[0].id).toBe(made[0].id);
    expect((await host.http('GET', `/v1/admin/reports/${made[0].id}`, { token: 'admin' })).body).toEqual(
      next.reports[0],
    );
    expectError(await host.http('GET', '/v1/admin/reports', { token: ada.token }), 403, 'admin_required');
    expectError(await host.http('GET', '/v1/admin/reports?status=all', { token: 'admin' }), 400, 'invalid_request');
    expectError(
      await host.http('GET', '/v1/admin/reports/no-such-report', { token: 'admin' }),
      404,
      'report_not_found',
    );
    for (const r of made) expect((await resolve(host, r.id, 'dismiss')).status).toBe(200);
  });

  it('dismisses a report: recorded, out of the queue, a retry answers it, another action is refused', async () => {
    const message = await bobSays('rude words');
    const open = await reportMessage(carol, message, 'harassment');
    const before = Date.now();
    const res = await resolve(host, open.id, 'dismiss');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.resolution).toEqual({ action: 'dismiss', by: 'admin', at: expect.any(String) });
    expect(Date.parse(res.body.resolution.at)).toBeGreaterThanOrEqual(before - 1000);
    expect((await queue(host)).reports.map((r) => r.id)).not.toContain(open.id);
    expect((await queue(host, '?status=resolved')).reports.map((r) => r.id)).toContain(open.id);
    expect((await resolve(host, open.id, 'dismiss')).body).toEqual(res.body);
    expectError(await resolve(host, open.id, 'delete_message'), 409, 'report_already_resolved');
    expectError(await resolve(host, open.id, 'ban'), 400, 'invalid_request');
    // The message stays; reporting it again makes a new report.
    const again = await reportMessage(carol, message);
    expect(again.id).not.toBe(open.id);
    await resolve(host, again.id, 'dismiss');
  });

  it('deletes the reported message: members get the tombstone, every open report of it is resolved', async () => {
    const message = await bobSays('illegal offer');
    const [adas, carols] = await Promise.all([host.connect(ada.token), host.connect(carol.token)]);
    const first = await reportMessage(ada, message, 'illegal');
    const second = await reportMessage(carol, message, 'spam');
    const res = await resolve(host, first.id, 'delete_message');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.resolution.action).toBe('delete_message');
    for (const socket of [adas, carols]) {
      const update = await socket.next(
        (f) => f.type === 'message.updated' && f.message.id === message.id && f.message.deletedAt !== null,
      );
      expect(update.message.content).toBeNull();
    }
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages`, { token: bob.token });
    expect(history.body.messages.find((m: any) => m.id === message.id)).toMatchObject({ content: null });
    // The evidence stays with the reports, both resolved by the one action.
    const other = (await host.http('GET', `/v1/admin/reports/${second.id}`, { token: 'admin' })).body;
    expect(other.resolution.action).toBe('delete_message');
    expect(other.message.content).toEqual({ type: 'text', text: 'illegal offer' });
    const person = await reported(host, ada, { userId: carol.id, reason: 'other' });
    expectError(await resolve(host, person.id, 'delete_message'), 400, 'invalid_operation');
    await resolve(host, person.id, 'dismiss');
  });

  it('keeps the snapshot when the sender deletes the message; a repeat still answers the report', async () => {
    const message = await bobSays('delete me quickly');
    const open = await reportMessage(ada, message, 'harassment');
    const bobs = await host.connect(bob.token);
    await bobs.request({ type: 'delete', conversationId: group.id, messageId: message.id });
    const kept = (await host.http('GET', `/v1/admin/reports/${open.id}`, { token: 'admin' })).body;
    expect(kept.message).toMatchObject({ id: message.id, content: { type: 'text', text: 'delete me quickly' } });
    const repeat = await report(host, ada, { conversationId: group.id, messageId: message.id, reason: 'spam' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.id).toBe(open.id);
    // Deleting what is deleted already is done: the report is resolved.
    expect((await resolve(host, open.id, 'delete_message')).body.message.content.text).toBe('delete me quickly');
  });

  it('deactivates the person: their sockets close, every open report of them is resolved', async () => {
    const [eve, frank] = await Promise.all([host.createUser(), host.createUser()]);
    const room = await host.createGroup(eve, [frank, ada]);
    const said = await host.http('POST', `/v1/conversations/${room.id}/messages`, {
      token: eve.token,
      body: { clientMsgId: 'eve-1', content: { type: 'text', text: 'threat' } },
    });
    const ofMessage = await reported(host, frank, {
      conversationId: room.id,
      messageId: said.body.message.id,
      reason: 'harassment',
    });
    const ofPerson = await reported(host, ada, { userId: eve.id, reason: 'harassment' });
    const socket = await host.connect(eve.token);
    const res = await resolve(host, ofPerson.id, 'deactivate_user');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.user).toMatchObject({ id: eve.id, status: 'deactivated' });
    expect(await closeCodeWithin(socket, 5_000)).toBe(4003);
    const login = await host.http('POST', '/v1/auth/login', { body: { handle: eve.handle, password: eve.password } });
    expectError(login, 403, 'account_deactivated');
    const other = (await host.http('GET', `/v1/admin/reports/${ofMessage.id}`, { token: 'admin' })).body;
    expect(other.resolution.action).toBe('deactivate_user');
    expect((await queue(host)).reports.filter((r) => r.userId === eve.id)).toEqual([]);
  });

  it('counts open, received and resolved reports, and logs each at info', async () => {
    const open = (await queue(host, '?limit=200')).reports.length;
    const before = await scrape(host);
    const made = await reportMessage(carol, await bobSays('counted'), 'illegal');
    let now = await scrape(host);
    expect(sample(now, 'switchboard_reports_open')).toBe(open + 1);
    const received = (s: typeof now) => sample(s, 'switchboard_reports_received_total', { reason: 'illegal' })!;
    expect(received(now)).toBe(received(before) + 1);
    await resolve(host, made.id, 'dismiss');
    now = await scrape(host);
    expect(sample(now, 'switchboard_reports_open')).toBe(open);
    const dismissed = (s: typeof now) => sample(s, 'switchboard_reports_resolved_total', { action: 'dismiss' })!;
    expect(dismissed(now)).toBe(dismissed(before) + 1);
    const lines = log.lines.filter((l) => l.reportId === made.id);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [30, 'report received'],
      [30, 'report resolved'],
    ]);
    expect(lines[0]).toMatchObject({ reporterId: carol.id, userId: bob.id, reason: 'illegal' });
    expect(lines[1]).toMatchObject({ action: 'dismiss', resolved: 1 });
  });
});

/**
 * Reporting abuse (POST /v1/reports): a member reports a message of their conversation (the host
 * keeps a snapshot of it) and anyone reports a person they share a conversation with; a
 * non-member is answered as when reading it, a repeat answers the open report, bad input gets
 * catalog codes, and each user is held to `reports.submitLimit`. The client library's call too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpApi } from '../sdk/client/index.js';
import { upload } from './support/attachment-helpers.js';
import { expectError, queue, report, reported } from './support/report-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';

describe('reports: people report messages and people', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let dave: TestUser;
  let group: { id: string };

  beforeAll(async () => {
    host = await startTestHost();
    [ada, bob, carol, dave] = await Promise.all([
      host.createUser(),
      host.createUser(),
      host.createUser(),
      host.createUser(),
    ]);
    group = await host.createGroup(ada, [bob, carol]);
  });
  afterAll(() => host?.stop());

  /** A message Bob posts in the group, with files when given; its wire form. */
  async function bobSays(text: string, attachmentIds?: string[]): Promise<any> {
    const res = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: bob.token,
      body: { clientMsgId: `bob-${text}-${Date.now()}`, content: { type: 'text', text }, attachmentIds },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.message;
  }

  it('a member reports a message: the report keeps its content, sender, time and files', async () => {
    const file = await upload(host, bob, 'not a virus', 'prize.txt', 'text/plain');
    expect(file.status).toBe(201);
    const message = await bobSays('You won a prize, click here', [file.body.id]);
    const res = await report(host, ada, {
      conversationId: group.id,
      messageId: message.id,
      reason: 'spam',
      note: 'Sent to everyone in the group',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      reporterId: ada.id,
      userId: bob.id,
      conversationId: group.id,
      messageId: message.id,
      reason: 'spam',
      note: 'Sent to everyone in the group',
      message: {
        id: message.id,
        conversationId: group.id,
        senderId: bob.id,
        content: { type: 'text', text: 'You won a prize, click here' },
        attachments: [expect.objectContaining({ id: file.body.id, name: 'prize.txt' })],
        createdAt: message.createdAt,
        editedAt: null,
      },
      createdAt: expect.any(String),
      resolution: null,
    });
    // The operator sees it, with who reported whom.
    const listed = (await queue(host)).reports.find((r) => r.id === res.body.id);
    expect(listed).toMatchObject({
      ...res.body,
      reporter: { id: ada.id, handle: ada.handle, status: 'active' },
      user: { id: bob.id, handle: bob.handle, status: 'active' },
    });
  });

  it('a non-member is answered as when reading the conversation, whether the message exists or not', async () => {
    const message = await bobSays('members only');
    const reading = await host.http('GET', `/v1/conversations/${group.id}/messages`, { token: dave.token });
    expectError(reading, 404, 'conversation_not_found');
    const existing = await report(host, dave, { conversationId: group.id, messageId: message.id, reason: 'spam' });
    expectError(existing, 404, 'conversation_not_found');
    const invented = await report(host, dave, {
      conversationId: 'no-such-conversation',
      messageId: 'm',
      reason: 'spam',
    });
    expect(invented.body.error.code).toBe(existing.body.error.code);
    // A member naming a message that is not in it.
    expectError(
      await report(host, ada, { conversationId: group.id, messageId: 'nope', reason: 'spam' }),
      404,
      'message_not_found',
    );
    expect((await queue(host)).reports.filter((r) => r.messageId === message.id)).toEqual([]);
  });

  it('reporting the same again answers the open report, whatever the new reason; over the client library too', async () => {
    const message = await bobSays('again and again');
    const target = { conversationId: group.id, messageId: message.id };
    const first = await reported(host, carol, { ...target, reason: 'harassment' });
    const repeat = await report(host, carol, { ...target, reason: 'other', note: 'still there' });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first);
    const api = new HttpApi({ baseUrl: host.url, token: carol.token });
    expect(await api.report({ ...target, reason: 'spam' })).toEqual(first);
    // Another member's report of it is a report of its own.
    const adas = await new HttpApi({ baseUrl: host.url, token: ada.token }).report({ ...target, reason: 'spam' });
    expect(adas.id).not.toBe(first.id);
    expect((await queue(host)).reports.filter((r) => r.messageId === message.id)).toHaveLength(2);
  });

  it('anyone sharing a conversation reports a person; nobody else, and nobody reports themselves', async () => {
    const person = await reported(host, carol, { userId: ada.id, reason: 'harassment' });
    expect(person).toMatchObject({
      reporterId: carol.id,
      userId: ada.id,
      conversationId: null,
      messageId: null,
      message: null,
    });
    expect((await report(host, carol, { userId: ada.id, reason: 'other' })).body.id).toBe(person.id);
    expectError(await report(host, dave, { userId: ada.id, reason: 'spam' }), 403, 'forbidden');
    expectError(await report(host, ada, { userId: ada.id, reason: 'spam' }), 400, 'invalid_operation');
    expectError(await report(host, ada, { userId: 'no-such-user', reason: 'spam' }), 404, 'user_not_found');
  });

  it('refuses own, deleted and system messages', async () => {
    const own = await bobSays('mine');
    expectError(
      await report(host, bob, { conversationId: group.id, messageId: own.id, reason: 'spam' }),
      400,
      'invalid_operation',
    );
    const gone = await bobSays('soon deleted');
    const bobs = await host.connect(bob.token);
    await bobs.request({ type: 'delete', conversationId: group.id, messageId: gone.id });
    expectError(
      await report(host, ada, { conversationId: group.id, messageId: gone.id, reason: 'spam' }),
      409,
      'message_deleted',
    );
    await bobs.request({ type: 'pin', conversationId: group.id, messageId: own.id });
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages`, { token: ada.token });
    const notice = history.body.messages.find((m: any) => m.content?.type === 'system.message_pinned');
    expectError(
      await report(host, ada, { conversationId: group.id, messageId: notice.id, reason: 'spam' }),
      400,
      'invalid_operation',
    );
  });

  it('bad input gets invalid_request naming the field', async () => {
    const message = await bobSays('context');
    const target = { conversationId: group.id, messageId: message.id };
    const cases: [object, string][] = [
      [{ ...target, reason: 'rude' }, '/reason'],
      [{ ...target }, '/reason'],
      [{ ...target, reason: 'spam', note: 'x'.repeat(1001) }, '/note'],
      [{ reason: 'spam' }, '/messageId'],
      [{ messageId: message.id, reason: 'spam' }, '/conversationId'],
      [{ ...target, userId: bob.id, reason: 'spam' }, '/userId'],
      [{ userId: bob.id, conversationId: group.id, reason: 'spam' }, '/conversationId'],
      [{ ...target, reason: 'spam', severity: 'high' }, '/severity'],
    ];
    for (const [body, path] of cases) {
      const res = await report(host, ada, body);
      expectError(res, 400, 'invalid_request');
      expect(
        res.body.error.details.map((d: any) => d.path),
        JSON.stringify(body),
      ).toContain(path);
    }
    // A note of exactly 1,000 characters is fine.
    await reported(host, ada, { ...target, reason: 'other', note: 'x'.repeat(1000) });
    expectError(
      await host.http('POST', '/v1/reports', { body: { userId: bob.id, reason: 'spam' } }),
      401,
      'unauthenticated',
    );
  });
});

describe('reports: the limit per user', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ config: { reports: { submitLimit: { requests: 2, windowSeconds: 60 } } } });
  });
  afterAll(() => host?.stop());

  it('refuses a user past reports.submitLimit with rate_limited and a wait; others may still report', async () => {
    const [ada, bob, carol, dave] = await Promise.all([
      host.createUser(),
      host.createUser(),
      host.createUser(),
      host.createUser(),
    ]);
    await host.createGroup(ada, [bob, carol, dave]);
    await reported(host, ada, { userId: bob.id, reason: 'spam' });
    await reported(host, ada, { userId: carol.id, reason: 'spam' });
    const third = await report(host, ada, { userId: dave.id, reason: 'spam' });
    expectError(third, 429, 'rate_limited');
    expect(third.body.error.retryAfterMs).toBeGreaterThan(0);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    await reported(host, bob, { userId: dave.id, reason: 'spam' });
    expect((await queue(host)).reports.map((r) => r.userId).sort()).toEqual([bob.id, carol.id, dave.id].sort());
  });
});

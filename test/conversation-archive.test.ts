/**
 * Archiving a conversation for oneself: PUT …/archive answers the Conversation with `archivedAt`,
 * which every answer carrying a Conversation shows; the member's own sockets get
 * `conversation.archive`, no one else's; new messages leave it archived and still count; the
 * listing keeps one side (`archived`) and pages it; strangers and bad bodies are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online, settle } from './support/protocol-helpers.js';
import { conversationOn } from './support/messaging-helpers.js';

describe('archived conversations', () => {
  let host: TestHost;
  /** How far the host's clock is ahead of the wall clock: moved on so that activity times differ. */
  let ahead = 0;
  beforeAll(async () => {
    host = await startTestHost({ clock: { now: () => Date.now() + ahead } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  const archive = (user: TestUser, id: string, body: unknown) =>
    host.http('PUT', `/v1/conversations/${id}/archive`, { token: user.token, body });
  const listing = async (user: TestUser, query = '') => {
    const res = await host.http('GET', `/v1/conversations${query}`, { token: user.token });
    expect(res.status).toBe(200);
    return res.body as { conversations: any[]; nextCursor: string | null };
  };

  it('archives and unarchives for me alone, tells my other sockets and no one else, and shows it in every answer', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const group = await host.createGroup(a, [b, c], 'Night shift');
    expect(group.archivedAt).toBeNull();
    const [phone, laptop, cb] = await Promise.all([online(host, a), online(host, a), online(host, b)]);

    const before = Date.now() + ahead;
    const archived = await archive(a, group.id, { archived: true });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ id: group.id, title: 'Night shift' });
    const at = archived.body.archivedAt as string;
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(at)).toBeLessThanOrEqual(Date.now() + ahead);
    expect(new Date(at).toISOString()).toBe(at);
    for (const socket of [phone, laptop]) {
      expect(await socket.next('conversation.archive')).toEqual({
        type: 'conversation.archive',
        conversationId: group.id,
        archivedAt: at,
      });
    }

    // Every answer that carries the conversation says so, for me; the others' view is theirs.
    expect((await conversationOn(host, group.id, a)).archivedAt).toBe(at);
    expect((await listing(a)).conversations.find((x) => x.id === group.id).archivedAt).toBe(at);
    const renamed = await host.http('PATCH', `/v1/conversations/${group.id}`, {
      token: a.token,
      body: { title: 'Day shift' },
    });
    expect(renamed.body).toMatchObject({ title: 'Day shift', archivedAt: at });
    const muted = await host.http('PUT', `/v1/conversations/${group.id}/mute`, {
      token: a.token,
      body: { until: 'forever' },
    });
    expect(muted.body.archivedAt).toBe(at);
    expect((await conversationOn(host, group.id, b)).archivedAt).toBeNull();

    // Archiving again keeps the first time and tells no one anything new.
    expect((await archive(a, group.id, { archived: true })).body.archivedAt).toBe(at);

    const unarchived = await archive(a, group.id, { archived: false });
    expect(unarchived.status).toBe(200);
    expect(unarchived.body.archivedAt).toBeNull();
    expect(await laptop.next('conversation.archive')).toEqual({
      type: 'conversation.archive',
      conversationId: group.id,
      archivedAt: null,
    });
    expect((await conversationOn(host, group.id, a)).archivedAt).toBeNull();

    // A later frame to b (a message) comes after any archive frame would have: b got none.
    await phone.sendText(group.id, 'after the archive');
    await cb.next((f) => f.type === 'message.created' && f.message.content.text === 'after the archive');
    await settle(phone, laptop, cb);
    expect(cb.ofType('conversation.archive')).toEqual([]);
    expect(laptop.ofType('conversation.archive')).toHaveLength(2);

    // A direct conversation too, and opening it again answers it archived.
    const direct = await host.direct(a, c);
    const directArchived = (await archive(a, direct.id, { archived: true })).body.archivedAt;
    expect(directArchived).not.toBeNull();
    const again = await host.http('POST', '/v1/conversations/direct', { token: a.token, body: { userId: c.id } });
    expect(again.body).toMatchObject({ id: direct.id, archivedAt: directArchived });
  });

  it('stays archived when new messages arrive, and they still count', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const cb = await online(host, b);
    const at = (await archive(a, direct.id, { archived: true })).body.archivedAt;
    await cb.sendText(direct.id, 'are you there?');
    await cb.sendText(direct.id, 'hello?');
    expect(await conversationOn(host, direct.id, a)).toMatchObject({ archivedAt: at, unreadCount: 2 });
    const listed = (await listing(a, '?archived=true')).conversations;
    expect(listed.map((x) => [x.id, x.archivedAt, x.unreadCount])).toEqual([[direct.id, at, 2]]);
    // The sender's own view is untouched.
    expect((await conversationOn(host, direct.id, b)).archivedAt).toBeNull();
  });

  it('lists archived ones or the others, a page at a time, newest activity first', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const ca = await online(host, a);
    const groups = [];
    for (let i = 0; i < 5; i++) groups.push(await host.createGroup(a, [b], `Group ${i}`));
    // Activity from the oldest to the newest: group 4 is the most recent.
    for (const g of groups) {
      ahead += 1000;
      await ca.sendText(g.id, `news of ${g.title}`);
    }
    for (const g of [groups[0], groups[2], groups[3]]) await archive(a, g.id, { archived: true });
    const ids = (list: any[]) => list.map((x) => x.title);

    // Without a filter or a limit: all of them, as before.
    const all = await listing(a);
    expect(ids(all.conversations)).toEqual(['Group 4', 'Group 3', 'Group 2', 'Group 1', 'Group 0']);
    expect(all.nextCursor).toBeNull();
    expect(ids((await listing(a, '?archived=false')).conversations)).toEqual(['Group 4', 'Group 1']);

    const first = await listing(a, '?archived=true&limit=2');
    expect(ids(first.conversations)).toEqual(['Group 3', 'Group 2']);
    expect(first.conversations.every((x) => x.archivedAt !== null && x.lastMessage !== null)).toBe(true);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await listing(a, `?archived=true&limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    expect(ids(second.conversations)).toEqual(['Group 0']);
    expect(second.conversations[0].lastMessage.content).toEqual({ type: 'text', text: 'news of Group 0' });
    expect(second.nextCursor).toBeNull();

    // A page exactly full has no next one.
    const exact = await listing(a, '?archived=false&limit=2');
    expect([ids(exact.conversations), exact.nextCursor]).toEqual([['Group 4', 'Group 1'], null]);

    for (const [query, path] of [
      ['?archived=yes', '/query/archived'],
      ['?archived=true&archived=false', '/query/archived'],
      ['?limit=0', '/query/limit'],
      ['?limit=201', '/query/limit'],
      ['?cursor=nonsense', '/query/cursor'],
      ['?cursor=1&cursor=2', '/query/cursor'],
    ] as const) {
      const res = await host.http('GET', `/v1/conversations${query}`, { token: a.token });
      expect([query, res.status, res.body.error.code, res.body.error.details?.[0]?.path]).toEqual([
        query,
        400,
        'invalid_request',
        path,
      ]);
    }
  });

  it('refuses strangers as for any conversation, and bad bodies naming the field', async () => {
    const [a, b, stranger] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const outsider = await archive(stranger, direct.id, { archived: true });
    expect([outsider.status, outsider.body.error.code]).toEqual([404, 'conversation_not_found']);
    const unknown = await archive(a, '00000000-0000-4000-8000-000000000000', { archived: true });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, 'conversation_not_found']);
    const anonymous = await host.http('PUT', `/v1/conversations/${direct.id}/archive`, { body: { archived: true } });
    expect(anonymous.status).toBe(401);

    for (const [body, path] of [
      [{}, '/archived'],
      [{ archived: 'yes' }, '/archived'],
      [{ archived: null }, '/archived'],
      [{ archived: 1 }, '/archived'],
      [{ archived: true, until: 'forever' }, '/until'],
    ] as const) {
      const res = await archive(a, direct.id, body);
      expect([res.status, res.body.error.code, res.body.error.details.map((d: any) => d.path)]).toEqual([
        400,
        'invalid_request',
        [path],
      ]);
    }
    expect((await conversationOn(host, direct.id, a)).archivedAt).toBeNull();
  });
});

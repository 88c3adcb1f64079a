/**
 * Conversations: one direct conversation per pair; groups with owner/admin/member roles;
 * membership changes recorded as system messages; removed members lose access.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type HttpResult, type TestHost, type TestUser } from './support/start-test-host.js';
import { refusal, settle, online } from './support/protocol-helpers.js';

/** A refusal because of the caller's role: 403 with a role/permission code. */
function expectRoleRefused(res: HttpResult) {
  expect(res.status).toBe(403);
  expect(res.body.error.code).toBe('insufficient_role');
}

describe('conversations', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const users = (n: number) => Promise.all(Array.from({ length: n }, () => host.createUser()));
  const api = (user: TestUser, method: string, path: string, body?: unknown) =>
    host.http(method, `/v1/conversations${path}`, { token: user.token, body });
  async function members(id: string, as: TestUser): Promise<Record<string, string>> {
    const res = await api(as, 'GET', `/${id}/members`);
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.members.map((m: any) => [m.userId, m.role]));
  }
  async function history(id: string, as: TestUser): Promise<any[]> {
    const res = await api(as, 'GET', `/${id}/messages?limit=100`);
    expect(res.status).toBe(200);
    return res.body.messages;
  }
  async function groupWithAdmin() {
    const [owner, admin, member, other] = (await users(4)) as [TestUser, TestUser, TestUser, TestUser];
    const group = await host.createGroup(owner, [admin, member]);
    expect((await api(owner, 'PATCH', `/${group.id}/members/${admin.id}`, { role: 'admin' })).status).toBe(200);
    return { owner, admin, member, other, group };
  }

  describe('direct conversations', () => {
    it('are one per pair: both users get the same conversation, also when they create it concurrently', async () => {
      const [a, b] = (await users(2)) as [TestUser, TestUser];
      const fromA = await host.direct(a, b);
      const fromB = await host.direct(b, a);
      expect(fromB.id).toBe(fromA.id);
      expect(fromA).toMatchObject({ kind: 'direct', title: null, memberCount: 2 });

      const [c, d] = (await users(2)) as [TestUser, TestUser];
      const racing = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? host.direct(c, d) : host.direct(d, c))),
      );
      expect(new Set(racing.map((conv) => conv.id)).size).toBe(1);
      const listed = (await api(c, 'GET', '')).body.conversations.filter((conv: any) => conv.kind === 'direct');
      expect(listed.map((conv: any) => conv.id)).toEqual([racing[0].id]);
    });

    it('cannot be joined, left, retitled or have members removed', async () => {
      const [a, b, x] = (await users(3)) as [TestUser, TestUser, TestUser];
      const conv = await host.direct(a, b);
      for (const res of [
        await api(a, 'POST', `/${conv.id}/members`, { userIds: [x.id] }),
        await api(a, 'POST', `/${conv.id}/leave`),
        await api(a, 'PATCH', `/${conv.id}`, { title: 'Renamed' }),
        await api(a, 'DELETE', `/${conv.id}/members/${b.id}`),
      ]) {
        expect([res.status, res.body.error.code]).toEqual([400, 'invalid_operation']);
      }
      expect(Object.keys(await members(conv.id, b)).sort()).toEqual([a.id, b.id].sort());
    });
  });

  describe('groups', () => {
    it('make the creator the owner, require a title and start with system.conversation_created', async () => {
      const [owner, b, c] = (await users(3)) as [TestUser, TestUser, TestUser];
      const res = await api(owner, 'POST', '', { title: 'Team', memberIds: [b.id, c.id] });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ kind: 'group', title: 'Team', memberCount: 3, myRole: 'owner', lastSeq: 1 });
      expect(await members(res.body.id, b)).toEqual({ [owner.id]: 'owner', [b.id]: 'member', [c.id]: 'member' });

      const [first] = await history(res.body.id, c);
      expect(first).toMatchObject({
        seq: 1,
        senderId: owner.id,
        content: { type: 'system.conversation_created', body: { title: 'Team' } },
      });
      expect(first.content.body.memberIds).toEqual(expect.arrayContaining([b.id, c.id]));

      for (const body of [{ memberIds: [b.id] }, { title: '' }, { title: 'x'.repeat(129) }]) {
        const bad = await api(owner, 'POST', '', body);
        expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_request']);
      }
    });

    it('let the owner and admins add members, only the owner add admins, and plain members add nobody', async () => {
      const { owner, admin, member, other, group } = await groupWithAdmin();
      const [late, lateAdmin] = (await users(2)) as [TestUser, TestUser];

      expectRoleRefused(await api(member, 'POST', `/${group.id}/members`, { userIds: [other.id] }));
      expectRoleRefused(await api(admin, 'POST', `/${group.id}/members`, { userIds: [lateAdmin.id], role: 'admin' }));
      const byAdmin = await api(admin, 'POST', `/${group.id}/members`, { userIds: [other.id] });
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body).toMatchObject({ id: group.id, memberCount: 4 });
      expect(
        (await api(owner, 'POST', `/${group.id}/members`, { userIds: [lateAdmin.id, late.id], role: 'admin' })).status,
      ).toBe(200);

      const roles = await members(group.id, member);
      expect([roles[other.id], roles[lateAdmin.id], roles[late.id]]).toEqual(['member', 'admin', 'admin']);
      const added = (await history(group.id, owner)).filter((m) => m.content?.type === 'system.members_added');
      expect(added.map((m) => [m.senderId, m.content.body.role, [...m.content.body.userIds].sort()])).toEqual([
        [admin.id, 'member', [other.id]],
        [owner.id, 'admin', [lateAdmin.id, late.id].sort()],
      ]);
    });

    it('let only the owner change roles', async () => {
      const { owner, admin, member, group } = await groupWithAdmin();
      expectRoleRefused(await api(admin, 'PATCH', `/${group.id}/members/${member.id}`, { role: 'admin' }));
      expectRoleRefused(await api(member, 'PATCH', `/${group.id}/members/${admin.id}`, { role: 'member' }));
      const res = await api(owner, 'PATCH', `/${group.id}/members/${member.id}`, { role: 'admin' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ userId: member.id, role: 'admin' });
      expect((await members(group.id, owner))[member.id]).toBe('admin');
    });

    it('let an admin remove plain members but not admins or the owner, and a member remove nobody', async () => {
      const { owner, admin, member, other, group } = await groupWithAdmin();
      await api(owner, 'POST', `/${group.id}/members`, { userIds: [other.id], role: 'admin' });
      expectRoleRefused(await api(member, 'DELETE', `/${group.id}/members/${admin.id}`));
      expectRoleRefused(await api(admin, 'DELETE', `/${group.id}/members/${other.id}`));
      expectRoleRefused(await api(admin, 'DELETE', `/${group.id}/members/${owner.id}`));
      expect((await api(admin, 'DELETE', `/${group.id}/members/${member.id}`)).status).toBe(204);
      expect((await api(owner, 'DELETE', `/${group.id}/members/${other.id}`)).status).toBe(204);
      expect(await members(group.id, owner)).toEqual({ [owner.id]: 'owner', [admin.id]: 'admin' });
    });

    it('let members leave; a leaving owner passes ownership to the longest-standing admin', async () => {
      const [owner, early, laterAdmin] = (await users(3)) as [TestUser, TestUser, TestUser];
      const group = await host.createGroup(owner, [early]);
      await api(owner, 'POST', `/${group.id}/members`, { userIds: [laterAdmin.id], role: 'admin' });
      expect((await api(owner, 'POST', `/${group.id}/leave`)).status).toBe(204);
      expect(await members(group.id, early)).toEqual({ [early.id]: 'member', [laterAdmin.id]: 'owner' });
      expect((await api(owner, 'GET', `/${group.id}`)).status).toBe(404);
      const left = (await history(group.id, early)).find((m) => m.content?.type === 'system.member_left');
      expect(left).toMatchObject({ senderId: owner.id, content: { body: { userId: owner.id } } });
    });

    it('pass ownership to the longest-standing member when there is no admin', async () => {
      const [owner, early, later] = (await users(3)) as [TestUser, TestUser, TestUser];
      const group = await host.createGroup(owner, [early]);
      await api(owner, 'POST', `/${group.id}/members`, { userIds: [later.id] });
      expect((await api(owner, 'POST', `/${group.id}/leave`)).status).toBe(204);
      expect(await members(group.id, later)).toEqual({ [early.id]: 'owner', [later.id]: 'member' });
    });

    it('record every membership change as a system message with its own seq, pushed like any message', async () => {
      const [owner, admin, leaver, x] = (await users(4)) as [TestUser, TestUser, TestUser, TestUser];
      const group = await host.createGroup(owner, [admin, leaver], 'Before');
      const watcher = await online(host, owner);
      await api(owner, 'POST', `/${group.id}/members`, { userIds: [x.id] });
      await api(owner, 'PATCH', `/${group.id}/members/${admin.id}`, { role: 'admin' });
      const retitled = await api(admin, 'PATCH', `/${group.id}`, { title: 'After' });
      expect(retitled.body).toMatchObject({ title: 'After' });
      expectRoleRefused(await api(leaver, 'PATCH', `/${group.id}`, { title: 'Not allowed' }));
      await api(admin, 'DELETE', `/${group.id}/members/${x.id}`);
      await api(leaver, 'POST', `/${group.id}/leave`);

      const log = await history(group.id, owner);
      expect(log.map((m) => [m.seq, m.senderId, m.content.type, m.content.body])).toEqual([
        [1, owner.id, 'system.conversation_created', expect.objectContaining({ title: 'Before' })],
        [2, owner.id, 'system.members_added', { userIds: [x.id], role: 'member' }],
        [3, owner.id, 'system.role_changed', { userId: admin.id, role: 'admin' }],
        [4, admin.id, 'system.title_changed', { title: 'After' }],
        [5, admin.id, 'system.member_removed', { userId: x.id }],
        [6, leaver.id, 'system.member_left', { userId: leaver.id }],
      ]);
      const pushed = await watcher.collect((f) => f.type === 'message.created' && f.conversationId === group.id, 5);
      expect(pushed.map((f) => f.message.seq)).toEqual([2, 3, 4, 5, 6]);
      expect((await api(owner, 'GET', `/${group.id}`)).body).toMatchObject({
        title: 'After',
        memberCount: 2,
        lastSeq: 6,
      });
    });

    it('cut a removed member off: no more events, and conversation_not_found afterwards', async () => {
      const [owner, stays, removed] = (await users(3)) as [TestUser, TestUser, TestUser];
      const group = await host.createGroup(owner, [stays, removed]);
      const [co, cs, cr] = await Promise.all([online(host, owner), online(host, stays), online(host, removed)]);
      await co.sendText(group.id, 'before');
      await cr.collect((f) => f.type === 'message.created' && f.message.content?.text === 'before', 1);

      expect((await api(owner, 'DELETE', `/${group.id}/members/${removed.id}`)).status).toBe(204);
      await co.sendText(group.id, 'after');
      co.sendRaw({ type: 'typing', conversationId: group.id, state: 'started' });
      await cs.collect((f) => f.type === 'message.created' && f.message.content?.text === 'after', 1);
      await cs.next('typing');
      await settle(cr);
      expect(cr.frames.filter((f) => f.message?.content?.text === 'after' || f.type === 'typing')).toEqual([]);

      expect((await refusal(cr.sendText(group.id, 'let me back in'))).code).toBe('conversation_not_found');
      expect((await refusal(cr.request({ type: 'history', conversationId: group.id }))).code).toBe(
        'conversation_not_found',
      );
      const res = await api(removed, 'GET', `/${group.id}/messages`);
      expect([res.status, res.body.error.code]).toEqual([404, 'conversation_not_found']);
    });
  });

  it('deliver live events to members who are online when the group is created, when they are added, and after a re-add', async () => {
    const [owner, early, late] = (await users(3)) as [TestUser, TestUser, TestUser];
    const [co, ce, cl] = await Promise.all([online(host, owner), online(host, early), online(host, late)]);
    const group = await host.createGroup(owner, [early], 'Live from the start');
    const text = (t: string) => (f: any) =>
      f.type === 'message.created' && f.conversationId === group.id && f.message.content?.text === t;

    await co.sendText(group.id, 'first');
    await ce.collect(text('first'), 1);
    expect((await api(owner, 'POST', `/${group.id}/members`, { userIds: [late.id] })).status).toBe(200);
    await co.sendText(group.id, 'second');
    await cl.collect(text('second'), 1);

    expect((await api(owner, 'DELETE', `/${group.id}/members/${late.id}`)).status).toBe(204);
    await co.sendText(group.id, 'while removed');
    expect((await api(owner, 'POST', `/${group.id}/members`, { userIds: [late.id] })).status).toBe(200);
    await co.sendText(group.id, 'third');
    await cl.collect(text('third'), 1);
    await settle(cl);
    expect(cl.frames.filter(text('while removed'))).toEqual([]);
    const pts = cl.frames
      .filter((f) => f.type === 'message.created' && f.conversationId === group.id)
      .map((f) => f.pts);
    expect(pts).toEqual([...pts].sort((x, y) => x - y));
    expect(new Set(pts).size).toBe(pts.length);
  });

  it('pages the member list with after and limit', async () => {
    const [owner, ...others] = (await users(6)) as [TestUser, ...TestUser[]];
    const group = await host.createGroup(owner, others);
    const seen: any[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await api(others[0]!, 'GET', `/${group.id}/members?limit=2${after ? `&after=${after}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.members.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.members);
      if (!res.body.hasMore) break;
      after = res.body.members.at(-1).userId;
    }
    expect(seen.map((m) => m.userId).sort()).toEqual([owner, ...others].map((u) => u.id).sort());
    expect(seen.find((m) => m.userId === owner.id)).toMatchObject({ role: 'owner' });
    expect(typeof seen[0].joinedAt).toBe('string');
  });

  it('lists only my conversations, newest activity first', async () => {
    const [me, friend, stranger] = (await users(3)) as [TestUser, TestUser, TestUser];
    const group = await host.createGroup(me, [friend], 'Mine');
    const direct = await host.direct(me, friend);
    const notMine = await host.createGroup(friend, [stranger], 'Not mine');
    const cf = await online(host, friend);

    await cf.sendText(group.id, 'newest in group');
    let listed = (await api(me, 'GET', '')).body.conversations;
    expect(listed.map((c: any) => c.id)).toEqual([group.id, direct.id]);
    expect(listed[0]).toMatchObject({ myRole: 'owner', title: 'Mine' });

    await cf.sendText(direct.id, 'newest in direct');
    listed = (await api(me, 'GET', '')).body.conversations;
    expect(listed.map((c: any) => c.id)).toEqual([direct.id, group.id]);
    expect(listed.map((c: any) => c.id)).not.toContain(notMine.id);
  });
});

/**
 * The operator's users API: finding accounts (search, filters, keyset pages), deactivating them
 * (no login, no tokens, sessions ended), reactivating them, resetting passwords and renaming.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { closeCodeWithin, refusedUpgrade } from './support/e2e.js';
import { createTestDatabase, openDirect } from './support/test-database.js';
import { online } from './support/protocol-helpers.js';

describe('admin users API', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  const admin = (method: string, path: string, body?: unknown) =>
    host.http(method, `/v1/admin/users${path}`, { token: 'admin', body });
  const login = (handle: string, password: string) =>
    host.http('POST', '/v1/auth/login', { body: { handle, password } });
  const me = (token: string) => host.http('GET', '/v1/me', { token });
  const expectError = (res: { status: number; body: any }, status: number, code: string) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.error.code).toBe(code);
  };

  describe('listing', () => {
    const handles: Record<string, string> = {};
    beforeAll(async () => {
      // A prefix of their own keeps these users apart from the other tests' users.
      const people = [
        ['lst_ada', 'Ada Lovelace'],
        ['lst_adam', 'Adam Smith'],
        ['LST_Bob', 'Robert 100% Sure'],
        ['lst_carol', 'Carol Danvers'],
        ['lst_dave', 'Dave'],
      ];
      for (const [handle, displayName] of people)
        handles[handle!] = (await host.createUser({ handle, displayName })).id;
      const bot = await admin('POST', '', { handle: 'lst_helper', displayName: 'Helper Bot', kind: 'bot' });
      handles.lst_helper = bot.body.id;
    });
    const list = async (query: string) => {
      const res = await admin('GET', `?${query}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body as { users: any[]; hasMore: boolean };
    };
    const handlesOf = (page: { users: any[] }) => page.users.map((u) => u.handle);

    it('orders by handle, case-insensitively, with AdminUser fields', async () => {
      const page = await list('query=lst_');
      expect(handlesOf(page)).toEqual(['lst_ada', 'lst_adam', 'LST_Bob', 'lst_carol', 'lst_dave', 'lst_helper']);
      expect(page.hasMore).toBe(false);
      expect(page.users[0]).toEqual({
        id: handles.lst_ada,
        handle: 'lst_ada',
        displayName: 'Ada Lovelace',
        kind: 'person',
        createdAt: expect.any(String),
        avatarUrl: null,
        status: 'active',
        deactivatedAt: null,
      });
    });

    it('matches a handle prefix or a display-name substring, ignoring case, with no wildcards', async () => {
      expect(handlesOf(await list('query=LST_AD'))).toEqual(['lst_ada', 'lst_adam']);
      expect(handlesOf(await list('query=danv'))).toEqual(['lst_carol']);
      expect(handlesOf(await list('query=smith'))).toEqual(['lst_adam']);
      // Not a prefix of any handle, and not in any display name.
      expect(handlesOf(await list('query=st_ada'))).toEqual([]);
      // % and _ are the characters themselves, not LIKE wildcards.
      expect(handlesOf(await list(`query=${encodeURIComponent('100%')}`))).toEqual(['LST_Bob']);
      expect(handlesOf(await list(`query=${encodeURIComponent('%')}`))).toEqual(['LST_Bob']);
      expect(handlesOf(await list('query=lst%5Fa'))).toEqual(['lst_ada', 'lst_adam']);
      expect(handlesOf(await list('query=lstxa'))).toEqual([]);
    });

    it('filters by kind and status', async () => {
      expect(handlesOf(await list('query=lst_&kind=bot'))).toEqual(['lst_helper']);
      expect(handlesOf(await list('query=lst_&kind=person&status=deactivated'))).toEqual([]);
      expect((await list('query=lst_&status=active')).users).toHaveLength(6);
    });

    it('pages by handle: limit, hasMore and after', async () => {
      const first = await list('query=lst_&limit=2');
      expect(handlesOf(first)).toEqual(['lst_ada', 'lst_adam']);
      expect(first.hasMore).toBe(true);
      const second = await list('query=lst_&limit=2&after=lst_adam');
      expect(handlesOf(second)).toEqual(['LST_Bob', 'lst_carol']);
      const last = await list('query=lst_&limit=2&after=LST_CAROL');
      expect(handlesOf(last)).toEqual(['lst_dave', 'lst_helper']);
      expect(last.hasMore).toBe(false);
    });

    it('refuses bad parameters with invalid_request naming the parameter', async () => {
      for (const [query, path] of [
        ['limit=0', '/query/limit'],
        ['limit=201', '/query/limit'],
        ['limit=ten', '/query/limit'],
        ['kind=robot', '/query/kind'],
        ['status=gone', '/query/status'],
        ['after=', '/query/after'],
        ['kind=bot&kind=person', '/query/kind'],
        [`query=${'x'.repeat(65)}`, '/query/query'],
      ]) {
        const res = await admin('GET', `?${query}`);
        expectError(res, 400, 'invalid_request');
        expect(
          res.body.error.details.map((d: any) => d.path),
          query,
        ).toContain(path);
      }
      expect((await list('limit=200')).users.length).toBeGreaterThanOrEqual(6);
    });
  });

  it('gets one user, or user_not_found; a user token is not the admin token', async () => {
    const user = await host.createUser();
    expect((await admin('GET', `/${user.id}`)).body).toMatchObject({ id: user.id, status: 'active' });
    expectError(await admin('GET', '/no-such-user'), 404, 'user_not_found');
    for (const [method, path] of [
      ['GET', ''],
      ['GET', `/${user.id}`],
      ['POST', `/${user.id}/deactivate`],
    ] as const) {
      expectError(await host.http(method, `/v1/admin/users${path}`, { token: user.token }), 403, 'admin_required');
    }
  });

  it('deactivates: sessions end with 4003 account_deactivated, old tokens fail, login and new tokens get account_deactivated', async () => {
    const user = await host.createUser();
    const socket = await online(host, user);
    const res = await admin('POST', `/${user.id}/deactivate`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, status: 'deactivated', deactivatedAt: expect.any(String) });
    expect(await closeCodeWithin(socket, 5_000)).toBe(4003);
    // The reason tells the client why (a revoked token's sockets close with session_ended).
    expect((await socket.closed).reason).toBe('account_deactivated');
    expectError(await me(user.token), 401, 'unauthenticated');
    expectError(await login(user.handle, user.password), 403, 'account_deactivated');
    // A wrong password still gets the same answer as for any account: nothing about its status.
    expectError(await login(user.handle, 'not-the-password'), 401, 'invalid_credentials');
    expectError(await admin('POST', `/${user.id}/tokens`, {}), 403, 'account_deactivated');

    // Idempotent: the first deactivation's time stays.
    const again = await admin('POST', `/${user.id}/deactivate`);
    expect(again.status).toBe(200);
    expect(again.body.deactivatedAt).toBe(res.body.deactivatedAt);
    expect((await admin('GET', `?query=${user.handle}&status=deactivated`)).body.users).toMatchObject([
      { id: user.id },
    ]);
    expectError(await admin('POST', '/no-such-user/deactivate'), 404, 'user_not_found');
  });

  it('refuses a live token of a deactivated account everywhere, even one that escaped revocation', async () => {
    // A host that stopped between marking the account and revoking its tokens, then came back.
    const database = await createTestDatabase();
    let other = await startTestHost({ database });
    try {
      const user = await other.createUser();
      await other.stopHostOnly();
      const db = openDirect(database);
      try {
        await db('users').where({ id: user.id }).update({ deactivated_at: Date.now() });
      } finally {
        await db.destroy();
      }
      other = await startTestHost({ database });
      expectError(await other.http('GET', '/v1/me', { token: user.token }), 403, 'account_deactivated');
      const upgrade = await refusedUpgrade(other.wsUrl, { Authorization: `Bearer ${user.token}` });
      expect(upgrade.status).toBe(403);
      expect(upgrade.body.error.code).toBe('account_deactivated');
      const socket = await other.connect(null);
      socket.sendRaw({ type: 'auth', token: user.token });
      expect(await closeCodeWithin(socket, 5_000)).toBe(4003);
      // Deactivating again finishes the job: the token is revoked.
      expect((await other.http('POST', `/v1/admin/users/${user.id}/deactivate`, { token: 'admin' })).status).toBe(200);
      expectError(await other.http('GET', '/v1/me', { token: user.token }), 401, 'unauthenticated');
    } finally {
      await other.stop();
      await database.drop();
    }
  });

  it('reactivates: login works again, the old tokens stay revoked', async () => {
    const user = await host.createUser();
    await admin('POST', `/${user.id}/deactivate`);
    const res = await admin('POST', `/${user.id}/reactivate`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, status: 'active', deactivatedAt: null });
    const again = await login(user.handle, user.password);
    expect(again.status).toBe(200);
    expect((await me(again.body.token)).status).toBe(200);
    expectError(await me(user.token), 401, 'unauthenticated');
    expect((await admin('POST', `/${user.id}/reactivate`)).status).toBe(200);
  });

  it('resets a password: the old one and every token stop working, the new one logs in', async () => {
    const user = await host.createUser();
    const socket = await online(host, user);
    const service = await admin('POST', `/${user.id}/tokens`, { label: 'backend' });
    expect(service.status).toBe(201);
    const res = await admin('POST', `/${user.id}/password`, { password: 'a brand new secret' });
    expect(res.status).toBe(204);
    expect(await closeCodeWithin(socket, 5_000)).toBe(4003);
    expect((await socket.closed).reason).toBe('session_ended');
    expectError(await me(user.token), 401, 'unauthenticated');
    expectError(await me(service.body.token), 401, 'unauthenticated');
    expectError(await login(user.handle, user.password), 401, 'invalid_credentials');
    expect((await login(user.handle, 'a brand new secret')).status).toBe(200);

    expectError(await admin('POST', `/${user.id}/password`, { password: 'short' }), 400, 'invalid_request');
    expectError(await admin('POST', `/${user.id}/password`, { password: 'x'.repeat(257) }), 400, 'invalid_request');
    expectError(await admin('POST', `/${user.id}/password`, {}), 400, 'invalid_request');
    expectError(await admin('POST', '/no-such-user/password', { password: 'long enough' }), 404, 'user_not_found');
  });

  it('changes a display name, as everyone then sees it', async () => {
    const user = await host.createUser({ displayName: 'Before' });
    const res = await admin('PATCH', `/${user.id}`, { displayName: 'After' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, displayName: 'After', status: 'active' });
    expect((await me(user.token)).body.displayName).toBe('After');
    for (const body of [
      { displayName: '' },
      { displayName: '   ' },
      { displayName: 'x'.repeat(65) },
      {},
      { handle: 'x' },
    ])
      expectError(await admin('PATCH', `/${user.id}`, body), 400, 'invalid_request');
    expectError(await admin('PATCH', '/no-such-user', { displayName: 'Nobody' }), 404, 'user_not_found');
  });
});

/**
 * Accounts, tokens and authentication, over real HTTP and real WebSockets.
 */
import { createHash, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import knex from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { testDatabaseKind } from './support/test-database.js';
import { closeCodeWithin, openRaw, ping, refusedUpgrade } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { postgresConnection } from '../host/db/postgres-url.js';

const SESSION_TTL = 3600;
const SERVICE_TTL = 7200;

const handle = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;
/** Milliseconds between an ISO timestamp and now + `seconds`. */
const offsetFromNowPlus = (iso: string, seconds: number) => Math.abs(Date.parse(iso) - (Date.now() + seconds * 1000));

let host: TestHost;
let ada: TestUser;

beforeAll(async () => {
  host = await startTestHost({
    config: { auth: { sessionTtlSeconds: SESSION_TTL, serviceTokenTtlSeconds: SERVICE_TTL } },
  });
  ada = await host.createUser({ handle: handle('ada') });
});
afterAll(async () => {
  await host?.stop();
});

async function login(h: string, password: string) {
  return host.http('POST', '/v1/auth/login', { body: { handle: h, password } });
}

describe('login', () => {
  it('returns a token, its id, its expiry and the user', async () => {
    const res = await login(ada.handle, ada.password);
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^sb_/);
    expect(typeof res.body.tokenId).toBe('string');
    expect(res.body.user).toMatchObject({ id: ada.id, handle: ada.handle, kind: 'person' });
    expect(offsetFromNowPlus(res.body.expiresAt, SESSION_TTL)).toBeLessThan(60_000);
    const me = await host.http('GET', '/v1/me', { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(ada.id);
  });

  it('answers a wrong password and an unknown handle identically: 401 invalid_credentials', async () => {
    const wrongPassword = await login(ada.handle, 'not-the-password');
    const unknownHandle = await login(handle('nobody'), 'not-the-password');
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.error.code).toBe('invalid_credentials');
    expect(unknownHandle.status).toBe(401);
    // Identical but for the request id, which every answer has its own of.
    const anyRequestId = (body: any) => ({ ...body, error: { ...body.error, requestId: expect.any(String) } });
    expect(unknownHandle.body).toEqual(anyRequestId(wrongPassword.body));
  });

  it('treats handles case-insensitively and keeps them unique, each kept as it was registered', async () => {
    const registered = handle('Casey');
    const created = await host.http('POST', '/v1/admin/users', {
      token: 'admin',
      body: { handle: registered, displayName: 'Casey', password: 'casey-password' },
    });
    expect(created.status).toBe(201);
    expect(created.body.handle).toBe(registered);
    const clash = await host.http('POST', '/v1/admin/users', {
      token: 'admin',
      body: { handle: registered.toUpperCase(), displayName: 'Other', password: 'other-password' },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('handle_taken');
    const upperLogin = await login(registered.toUpperCase(), 'casey-password');
    expect(upperLogin.status).toBe(200);
    expect(upperLogin.body.user).toMatchObject({ id: created.body.id, handle: registered });
    const lookup = await host.http('GET', `/v1/users?handle=${registered.toUpperCase()}`, { token: ada.token });
    expect(lookup.status).toBe(200);
    expect(lookup.body.id).toBe(created.body.id);
  });
});

describe('admin API', () => {
  const body = () => ({ handle: handle('adm'), displayName: 'Someone', password: 'some-password' });

  it('refuses requests without a token (401) and with a user token (403 admin_required)', async () => {
    const none = await host.http('POST', '/v1/admin/users', { body: body() });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthenticated');
    const asUser = await host.http('POST', '/v1/admin/users', { token: ada.token, body: body() });
    expect(asUser.status).toBe(403);
    expect(asUser.body.error.code).toBe('admin_required');
    const tokens = await host.http('GET', `/v1/admin/users/${ada.id}/tokens`, { token: ada.token });
    expect(tokens.status).toBe(403);
  });

  it('creates bot users and issues service tokens that work on HTTP and WebSocket', async () => {
    const bot = await host.http('POST', '/v1/admin/users', {
      token: 'admin',
      body: { handle: handle('bot'), displayName: 'Bot', kind: 'bot' },
    });
    expect(bot.status).toBe(201);
    expect(bot.body.kind).toBe('bot');
    const issued = await host.http('POST', `/v1/admin/users/${bot.body.id}/tokens`, {
      token: 'admin',
      body: { label: 'ci' },
    });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^sb_/);
    expect(offsetFromNowPlus(issued.body.expiresAt, SERVICE_TTL)).toBeLessThan(60_000);
    const me = await host.http('GET', '/v1/me', { token: issued.body.token });
    expect(me.body).toMatchObject({ id: bot.body.id, kind: 'bot' });
    const socket = await host.connect(issued.body.token);
    expect(socket.frames[0]).toMatchObject({ type: 'ready', protocol: 1, user: { id: bot.body.id } });
    const listed = await host.http('GET', `/v1/admin/users/${bot.body.id}/tokens`, { token: 'admin' });
    expect(listed.body.tokens).toEqual([
      expect.objectContaining({ id: issued.body.tokenId, label: 'ci', revokedAt: null }),
    ]);
    // A bot without a password cannot log in with one.
    expect((await login(bot.body.handle, 'any-password-at-all')).status).toBe(401);
  });

  it('honours ttlSeconds when issuing a token', async () => {
    const issued = await host.http('POST', `/v1/admin/users/${ada.id}/tokens`, {
      token: 'admin',
      body: { ttlSeconds: 600 },
    });
    expect(issued.status).toBe(201);
    expect(offsetFromNowPlus(issued.body.expiresAt, 600)).toBeLessThan(60_000);
  });
});

describe('ending sessions', () => {
  it('logout revokes the token used: HTTP refuses it and its socket closes with 4003', async () => {
    const session = await login(ada.handle, ada.password);
    const socket = await host.connect(session.body.token);
    expect((await host.http('POST', '/v1/auth/logout', { token: session.body.token })).status).toBe(204);
    expect(await closeCodeWithin(socket, 5000)).toBe(4003);
    expect((await host.http('GET', '/v1/me', { token: session.body.token })).status).toBe(401);
    expect((await host.http('GET', '/v1/me', { token: ada.token })).status).toBe(200);
  });

  it('DELETE /v1/me/tokens/:id revokes one of my tokens and closes only its sockets', async () => {
    const first = await login(ada.handle, ada.password);
    const second = await login(ada.handle, ada.password);
    const doomed = await host.connect(first.body.token);
    const survivor = await host.connect(second.body.token);
    const del = await host.http('DELETE', `/v1/me/tokens/${first.body.tokenId}`, { token: second.body.token });
    expect(del.status).toBe(204);
    expect(await closeCodeWithin(doomed, 5000)).toBe(4003);
    expect((await host.http('GET', '/v1/me', { token: first.body.token })).status).toBe(401);
    expect((await refusedUpgrade(host.wsUrl, { Authorization: `Bearer ${first.body.token}` })).status).toBe(401);
    expect(await ping(survivor)).toBe(true);
    const mine = await host.http('GET', '/v1/me/tokens', { token: second.body.token });
    const revoked = mine.body.tokens.find((t: any) => t.id === first.body.tokenId);
    expect(revoked.revokedAt).not.toBeNull();
  });

  it("a user cannot revoke another user's token (404 token_not_found)", async () => {
    const other = await host.createUser();
    const session = await login(ada.handle, ada.password);
    const res = await host.http('DELETE', `/v1/me/tokens/${session.body.tokenId}`, { token: other.token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('token_not_found');
    expect((await host.http('GET', '/v1/me', { token: session.body.token })).status).toBe(200);
  });

  it('DELETE /v1/admin/tokens/:id revokes a token at once and closes its sockets with 4003', async () => {
    const issued = await host.http('POST', `/v1/admin/users/${ada.id}/tokens`, {
      token: 'admin',
      body: { label: 'doomed' },
    });
    const socket = await host.connect(issued.body.token, { auth: 'frame' });
    const del = await host.http('DELETE', `/v1/admin/tokens/${issued.body.tokenId}`, { token: 'admin' });
    expect(del.status).toBe(204);
    expect(await closeCodeWithin(socket, 5000)).toBe(4003);
    expect((await host.http('GET', '/v1/me', { token: issued.body.token })).status).toBe(401);
    const listed = await host.http('GET', `/v1/admin/users/${ada.id}/tokens`, { token: 'admin' });
    expect(listed.body.tokens.find((t: any) => t.id === issued.body.tokenId).revokedAt).not.toBeNull();
  });

  it('an expired token is refused, and its open socket is closed with 4003', async () => {
    const short = await host.http('POST', `/v1/admin/users/${ada.id}/tokens`, {
      token: 'admin',
      body: { ttlSeconds: 1 },
    });
    expect(short.status).toBe(201);
    expect(offsetFromNowPlus(short.body.expiresAt, 1)).toBeLessThan(5_000);
    const socket = await host.connect(short.body.token);
    // Expiry is the clock passing expiresAt; no event marks it.
    await eventually(() => Date.now() > Date.parse(short.body.expiresAt) + 100, {
      timeoutMs: 5_000,
      what: 'the clock to pass expiresAt',
    });
    expect((await host.http('GET', '/v1/me', { token: short.body.token })).status).toBe(401);
    // Sessions are swept every second.
    expect(await closeCodeWithin(socket, 5_000)).toBe(4003);
  }, 60_000);
});

describe('WebSocket authentication', () => {
  it('accepts a bearer header and sends ready with the user', async () => {
    const socket = await host.connect(ada.token, { auth: 'header' });
    expect(socket.frames[0]).toMatchObject({ type: 'ready', protocol: 1, user: { id: ada.id, handle: ada.handle } });
    expect(socket.frames[0]!.limits).toMatchObject({
      maxPayloadBytes: expect.any(Number),
      framesPerSecond: expect.any(Number),
      maxTextLength: 8000,
    });
  });

  it('accepts an auth first frame', async () => {
    const socket = await host.connect(ada.token, { auth: 'frame' });
    expect(socket.frames[0]).toMatchObject({ type: 'ready', user: { id: ada.id } });
  });

  it('refuses the upgrade with HTTP 401 and a JSON error for a bad header token', async () => {
    const res = await refusedUpgrade(host.wsUrl, { Authorization: 'Bearer sb_not_a_real_token' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('closes with 4001 when the auth frame carries a bad token', async () => {
    const socket = await openRaw(host.wsUrl);
    socket.sendRaw({ type: 'auth', token: 'sb_not_a_real_token' });
    expect(await closeCodeWithin(socket, 5000)).toBe(4001);
    expect(socket.frames).toEqual([]);
  });

  it('closes with 4001 when the first frame is not auth', async () => {
    const socket = await openRaw(host.wsUrl);
    socket.sendRaw({ type: 'ping', id: 'p1' });
    expect(await closeCodeWithin(socket, 5000)).toBe(4001);
    expect(socket.frames).toEqual([]);
  });
});

describe('with websocket.authTimeoutMs 300 and open registration', () => {
  let open: TestHost;
  beforeAll(async () => {
    open = await startTestHost({ config: { websocket: { authTimeoutMs: 300 }, auth: { openRegistration: true } } });
  });
  afterAll(async () => {
    await open?.stop();
  });

  it('an unauthenticated socket gets no frames and is closed with 4002; authenticated ones stay', async () => {
    const user = await open.createUser();
    const authed = await open.connect(user.token);
    const lurker = await openRaw(open.wsUrl);
    expect(await closeCodeWithin(lurker, 5000)).toBe(4002);
    expect(lurker.frames).toEqual([]);
    // authed opened before lurker, so its 300 ms passed before lurker was closed: no need to wait more.
    expect(await ping(authed)).toBe(true);
  });

  it('registration is open: 201 with a working token; handles stay unique', async () => {
    const h = handle('reg');
    const reg = await open.http('POST', '/v1/auth/register', {
      body: { handle: h, displayName: 'Reg', password: 'reg-password' },
    });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ handle: h, kind: 'person' });
    expect((await open.http('GET', '/v1/me', { token: reg.body.token })).body.id).toBe(reg.body.user.id);
    const again = await open.http('POST', '/v1/auth/register', {
      body: { handle: h.toUpperCase(), displayName: 'Reg', password: 'reg-password' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('handle_taken');
  });

  it('registration is closed on a host that did not enable it (403 registration_closed)', async () => {
    const res = await host.http('POST', '/v1/auth/register', {
      body: { handle: handle('reg'), displayName: 'Reg', password: 'reg-password' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('registration_closed');
  });
});

describe('token storage', () => {
  it('stores only a SHA-256 hash of each token, never the token itself', async () => {
    const own = await startTestHost();
    try {
      const user = await own.createUser();
      const digest = createHash('sha256').update(user.token).digest();
      await own.stopHostOnly();
      const values = await allStoredValues(own);
      expect(values.length).toBeGreaterThan(0);
      const containsToken = values.some((v) =>
        Buffer.isBuffer(v) ? v.includes(user.token) : String(v).includes(user.token),
      );
      expect(containsToken).toBe(false);
      const hashForms = [digest.toString('hex'), digest.toString('base64'), digest.toString('base64url')];
      const containsHash = values.some((v) =>
        Buffer.isBuffer(v) ? v.includes(digest) : hashForms.some((f) => String(v).includes(f)),
      );
      expect(containsHash).toBe(true);
    } finally {
      await own.stop();
    }
  });
});

/** Every column value of every table of the host's database. */
async function allStoredValues(h: TestHost): Promise<unknown[]> {
  const values: unknown[] = [];
  if (testDatabaseKind === 'sqlite') {
    const db = new Database(h.database.url.replace(/^sqlite:/, ''), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables)
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as object[]) values.push(...Object.values(row));
    } finally {
      db.close();
    }
    return values;
  }
  const db = knex({ client: 'pg', connection: postgresConnection(h.database.url), pool: { min: 0, max: 1 } });
  try {
    const tables = await db('information_schema.tables')
      .where({ table_schema: h.database.schema })
      .select('table_name');
    for (const { table_name } of tables)
      for (const row of await db.withSchema(h.database.schema).select('*').from(table_name))
        values.push(...Object.values(row as object));
  } finally {
    await db.destroy();
  }
  return values;
}

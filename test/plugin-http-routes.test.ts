/**
 * Plugin HTTP routes at /plugins/<id><path>: only contributed and registered routes of running
 * plugins are served; the host enforces auth ("user" bearer tokens, "signature" HMACs of the raw
 * body with a 5-minute replay window) before the plugin sees the request, limits the body, and
 * turns a failing handler into 502 while it keeps serving everything else.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { enable, expectDenied, pluginLogs, pluginStatus, registrations } from './support/plugin-helpers.js';
import { ROUTES } from './fixtures/plugins/http-routes/index.js';
import { ensureWebBuilt } from './support/web-build.js';

const ENTRY = `${repoRoot}/test/fixtures/plugins/http-routes/index.ts`;
const AUTH: Record<string, 'user' | 'signature' | 'admin'> = {
  'GET /me': 'user',
  'POST /hook': 'signature',
  'GET /report': 'admin',
};
const BODY_LIMIT = 4096;

function httpManifest(id: string, permissions: Record<string, object>): Record<string, unknown> {
  const routes = [...ROUTES, 'GET /declared-only'].map((spec) => {
    const [method, path] = spec.split(' ');
    return { method, path, auth: AUTH[spec] ?? 'none' };
  });
  return {
    id,
    name: `HTTP ${id}`,
    version: '1.0.0',
    description: 'A test fixture that serves HTTP routes.',
    author: { name: 'Switchboard tests' },
    engine: '^1.0.0',
    runtime: 'trusted',
    entry: ENTRY,
    permissions,
    contributes: { routes },
  };
}

const enabled = [
  enable(httpManifest('webhooks', { 'http.routes': {} }), { settings: { skip: [], extra: ['GET /undeclared'] } }),
  enable(httpManifest('no-routes', {})),
  enable(httpManifest('refused-routes', { 'http.routes': {} }), { grants: { 'http.routes': false } }),
];

const now = () => Math.floor(Date.now() / 1000);
const sign = (secret: string, body: string, t = now()) =>
  `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;

describe('plugin HTTP routes', () => {
  let host: TestHost;
  let user: TestUser;
  let secret: string;
  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled }, http: { bodyLimitBytes: BODY_LIMIT } } });
    user = await host.createUser();
    const res = await host.http('GET', '/plugins/webhooks/secret');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    secret = res.body.secret;
  });
  afterAll(async () => {
    await host?.stop();
  });

  const hook = (body: string, headers: Record<string, string> = {}) =>
    host.http('POST', '/plugins/webhooks/hook', { rawBody: body, headers });

  it('serves a public route with its path parameters and query', async () => {
    const res = await host.http('GET', '/plugins/webhooks/items/a%20b?color=red&size=1&size=2', {
      headers: { 'X-Trace': 'abc' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.route).toBe('GET /items/:itemId');
    expect(res.body.request).toMatchObject({
      method: 'GET',
      path: '/items/a%20b',
      params: { itemId: 'a b' },
      query: { color: 'red', size: '1' },
      body: null,
      rawBody: '',
      user: null,
    });
    expect(res.body.request.headers['x-trace']).toBe('abc');
  });

  it('prefers a literal segment over a parameter', async () => {
    expect((await host.http('GET', '/plugins/webhooks/items/new')).body.route).toBe('GET /items/new');
    expect((await host.http('GET', '/plugins/webhooks/items/old')).body.route).toBe('GET /items/:itemId');
    expect((await host.http('GET', '/plugins/webhooks')).body.route).toBe('GET /');
  });

  it('passes a JSON body parsed and raw; other bodies only raw', async () => {
    const json = await host.http('POST', '/plugins/webhooks/echo', { rawBody: '{"a": [1, "two"]}' });
    expect(json.status).toBe(200);
    expect(json.body.request).toMatchObject({ body: { a: [1, 'two'] }, rawBody: '{"a": [1, "two"]}' });
    const text = await host.http('POST', '/plugins/webhooks/echo', {
      rawBody: 'plain words',
      headers: { 'content-type': 'text/plain' },
    });
    expect(text.body.request).toMatchObject({ body: null, rawBody: 'plain words' });
    const bad = await host.http('POST', '/plugins/webhooks/echo', { rawBody: '{"a":' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_json');
  });

  it('a "user" route needs a bearer token and tells the plugin who called, without the token', async () => {
    for (const token of [undefined, 'sb_not-a-real-token']) {
      const res = await host.http('GET', '/plugins/webhooks/me', { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    }
    const res = await host.http('GET', '/plugins/webhooks/me', { token: user.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.request.user).toMatchObject({ id: user.id, handle: user.handle });
    expect(res.body.request.headers.authorization).toBeUndefined();
    // A public route never sees a Switchboard token either, and has no user.
    const open = await host.http('GET', '/plugins/webhooks/items/1', { token: user.token });
    expect(open.body.request.user).toBeNull();
    expect(open.body.request.headers.authorization).toBeUndefined();
  });

  it('refuses a token on a "user" route at once after it is revoked, though it was just used', async () => {
    const login = await host.http('POST', '/v1/auth/login', { body: { handle: user.handle, password: user.password } });
    const token = login.body.token as string;
    expect((await host.http('GET', '/plugins/webhooks/me', { token })).status).toBe(200);
    expect((await host.http('POST', '/v1/auth/logout', { token })).status).toBe(204);
    const after = await host.http('GET', '/plugins/webhooks/me', { token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthenticated');
  });

  it('an "admin" route needs the operator token, which the plugin never sees', async () => {
    expect((await host.http('GET', '/plugins/webhooks/report')).body.error.code).toBe('unauthenticated');
    const asUser = await host.http('GET', '/plugins/webhooks/report', { token: user.token });
    expect(asUser.status).toBe(403);
    expect(asUser.body.error.code).toBe('admin_required');
    const res = await host.http('GET', '/plugins/webhooks/report', { token: 'admin' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.request.user).toBeNull();
    expect(res.body.request.headers.authorization).toBeUndefined();
  });

  describe('a "signature" route', () => {
    const body = '{"event":"paid","amount":42}';

    it('accepts a correct signature of the exact body', async () => {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const res = await hook(body, { 'x-switchboard-signature': sign(secret, body) });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.request).toMatchObject({ body: { event: 'paid', amount: 42 }, rawBody: body, user: null });
      const spaced = ' {"event": "paid"} ';
      expect((await hook(spaced, { 'x-switchboard-signature': sign(secret, spaced) })).status).toBe(200);
    });

    it.each([
      ['a missing header', () => ({})],
      ['a malformed header', () => ({ 'x-switchboard-signature': 'sha256=abc' })],
      ['a signature made with another secret', () => ({ 'x-switchboard-signature': sign(`${secret}x`, body) })],
      ['a signature of another body', () => ({ 'x-switchboard-signature': sign(secret, body.replace('42', '4200')) })],
      [
        'a signature whose timestamp was changed',
        () => ({ 'x-switchboard-signature': sign(secret, body).replace(/^t=\d+/, `t=${now() - 1}`) }),
      ],
      ['a stale timestamp', () => ({ 'x-switchboard-signature': sign(secret, body, now() - 301 - 60) })],
      ['a timestamp far in the future', () => ({ 'x-switchboard-signature': sign(secret, body, now() + 301 + 60) })],
    ])('refuses %s with 401', async (_what, headers) => {
      const res = await hook(body, headers());
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
      expect(res.body.error.message).toMatch(/signature/i);
    });

    it('refuses a tampered body', async () => {
      const res = await hook(body.replace('42', '43'), { 'x-switchboard-signature': sign(secret, body) });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthenticated');
    });
  });

  it('serves only declared routes that the plugin registered', async () => {
    expect((await registrations(host, 'webhooks'))['http.route:GET /undeclared']).toMatchObject({
      ok: false,
      code: 'invalid_operation',
      message: expect.stringContaining('contributes.routes'),
    });
    for (const [method, path] of [
      ['GET', '/plugins/webhooks/undeclared'],
      ['GET', '/plugins/webhooks/declared-only'],
      ['POST', '/plugins/webhooks/items/1'],
      ['GET', '/plugins/webhooks/items/1/more'],
      ['GET', '/plugins/nobody/items/1'],
    ] as const) {
      const res = await host.http(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('route_not_found');
    }
  });

  it('route() and webhookSecret() need the http.routes permission', async () => {
    for (const id of ['no-routes', 'refused-routes']) {
      expect((await pluginStatus(host, id)).status).toBe('running');
      const registered = await registrations(host, id);
      expectDenied(registered['http.route:GET /items/:itemId'], 'http.routes');
      expectDenied(registered['http.webhookSecret'], 'http.routes');
      const res = await host.http('GET', `/plugins/${id}/items/1`);
      expect(res.status).toBe(404);
    }
  });

  it('a disabled plugin serves nothing; enabled again, it serves with the same secret', async () => {
    const off = await host.http('POST', '/v1/admin/plugins/webhooks/disable', { token: 'admin' });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    const gone = await host.http('GET', '/plugins/webhooks/items/1');
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('route_not_found');
    expect((await hook('{}', { 'x-switchboard-signature': sign(secret, '{}') })).status).toBe(404);
    const on = await host.http('POST', '/v1/admin/plugins/webhooks/enable', { token: 'admin' });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    expect((await host.http('GET', '/plugins/webhooks/items/1')).status).toBe(200);
    expect((await host.http('GET', '/plugins/webhooks/secret')).body.secret).toBe(secret);
    expect((await hook('{}', { 'x-switchboard-signature': sign(secret, '{}') })).status).toBe(200);
  });

  it('a throwing handler answers 502 plugin_failed, is logged, and the host keeps serving', async () => {
    const res = await host.http('GET', '/plugins/webhooks/boom');
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('plugin_failed');
    expect(JSON.stringify(res.body)).not.toContain('exploded');
    const logs = await pluginLogs(host, 'webhooks');
    expect(logs.some((e) => e.level === 'error' && e.message.includes('the route handler exploded'))).toBe(true);
    expect((await host.http('GET', '/plugins/webhooks/items/1')).status).toBe(200);
    expect((await host.http('GET', '/healthz')).status).toBe(200);
  });

  it('a handler that does not answer within 10 s gets 504 plugin_timeout', async () => {
    const res = await host.http('GET', '/plugins/webhooks/slow?ms=11000');
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('plugin_timeout');
  }, 20_000);

  it('sends the status, headers and JSON body the handler returns, within limits', async () => {
    const respond = (spec: unknown) => host.http('POST', '/plugins/webhooks/respond', { body: spec });
    const custom = await respond({
      status: 201,
      headers: { 'X-Custom': 'yes', 'Content-Length': '1', connection: 'close' },
      body: { ok: true },
    });
    expect(custom.status).toBe(201);
    expect(custom.headers.get('x-custom')).toBe('yes');
    expect(custom.body).toEqual({ ok: true });
    expect(custom.headers.get('content-length')).toBe(String('{"ok":true}'.length));
    expect(
      (await pluginLogs(host, 'webhooks')).some(
        (e) => e.level === 'warn' && e.data?.headers?.includes('content-length'),
      ),
    ).toBe(true);
    const empty = await respond({});
    expect([empty.status, empty.body]).toEqual([204, null]);
    const accepted = await respond({ status: 202 });
    expect([accepted.status, accepted.body]).toEqual([202, null]);
    const notFound = await respond({ status: 404, body: { missing: true } });
    expect([notFound.status, notFound.body]).toEqual([404, { missing: true }]);
    for (const bad of [
      { status: 700 },
      { status: 199 },
      { status: 200.5 },
      { status: '200' },
      { headers: { 'x-n': 1 } },
      { headers: { 'bad name': 'x' } },
    ]) {
      const res = await respond(bad);
      expect(res.status, JSON.stringify(bad)).toBe(502);
      expect(res.body.error.code).toBe('plugin_failed');
    }
  });

  it('refuses a body over the size limit with 413', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT) });
    const res = await host.http('POST', '/plugins/webhooks/echo', { rawBody: big });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    const signed = await hook(big, { 'x-switchboard-signature': sign(secret, big) });
    expect(signed.status).toBe(413);
    expect(
      (
        await host.http('POST', '/plugins/webhooks/echo', {
          rawBody: JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT - 100) }),
        })
      ).status,
    ).toBe(200);
  });

  it('leaves the other routes alone', async () => {
    expect((await host.http('GET', '/healthz')).body).toEqual({ status: 'ok' });
    const group = await host.http('POST', '/v1/conversations', {
      token: user.token,
      body: { title: 'Still JSON', memberIds: [] },
    });
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    expect(group.body.title).toBe('Still JSON');
    const api = await host.http('GET', '/v1/plugins/webhooks/items/1');
    expect(api.status).toBe(404);
    expect(api.body.error.code).toBe('route_not_found');
    // A path that only starts like /plugins is no plugin's: it is a page of the web client.
    await ensureWebBuilt();
    const page = await host.http('GET', '/pluginsx/webhooks/items/1');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

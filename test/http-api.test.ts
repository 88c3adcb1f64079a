/**
 * The HTTP surface: health probes and the one error shape, with the catalog's status for each code.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalog } from '../sdk/errors/error-catalog.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import type { HttpResult } from './support/start-test-host.js';

const BODY_LIMIT = 2048;

let host: TestHost;
let ada: TestUser;

beforeAll(async () => {
  host = await startTestHost({ config: { http: { bodyLimitBytes: BODY_LIMIT } } });
  ada = await host.createUser();
});
afterAll(async () => {
  await host?.stop();
});

/** Asserts the documented error shape and that the status is the catalog's status for the code. */
function expectError(res: HttpResult, code: keyof typeof errorCatalog) {
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
  expect(res.status).toBe(errorCatalog[code].status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
}

describe('health', () => {
  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    const res = await host.http('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 {"status":"ready"} once started', async () => {
    const res = await host.http('GET', '/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready' });
  });
});

describe('errors', () => {
  it('an unknown route is 404 route_not_found, with or without a token', async () => {
    expectError(await host.http('GET', '/v1/no-such-thing'), 'route_not_found');
    expectError(await host.http('POST', '/v1/no-such-thing', { token: ada.token, body: {} }), 'route_not_found');
  });

  it('a malformed JSON body is 400 invalid_json', async () => {
    const res = await host.http('POST', '/v1/auth/login', { rawBody: '{"handle": "ada", "password": ' });
    expectError(res, 'invalid_json');
  });

  it('a body that is not sent as JSON is 415 unsupported_media_type, not taken for an empty one', async () => {
    const login = JSON.stringify({ handle: ada.handle, password: 'whatever it is' });
    // What fetch sends for a string body without a type, and a form post.
    for (const type of ['text/plain;charset=UTF-8', 'application/x-www-form-urlencoded']) {
      const res = await host.http('POST', '/v1/auth/login', { rawBody: login, headers: { 'content-type': type } });
      expectError(res, 'unsupported_media_type');
      expect(res.body.error.message).toContain(type.split(';')[0]);
    }
    // No body at all needs no type (logging out sends none).
    expect((await host.http('POST', '/v1/auth/logout', { token: (await host.createUser()).token })).status).toBe(204);
  });

  it('fields of the wrong type are 400 invalid_request with a JSON pointer per field', async () => {
    const res = await host.http('POST', '/v1/auth/login', { body: { handle: 5, password: true } });
    expectError(res, 'invalid_request');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/handle', '/password']));
    for (const d of res.body.error.details) expect(typeof d.message).toBe('string');
  });

  it('a missing required field names the field', async () => {
    const group = await host.createGroup(ada, []);
    const res = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: ada.token,
      body: { content: { type: 'text', text: 'hi' } },
    });
    expectError(res, 'invalid_request');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('/clientMsgId');
    // Nothing was stored by the refused request.
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages`, { token: ada.token });
    expect(history.body.messages.filter((m: any) => m.content?.type === 'text')).toEqual([]);
  });

  it('unknown fields are refused with invalid_request naming them', async () => {
    const res = await host.http('POST', '/v1/auth/login', {
      body: { handle: 'ada_x', password: 'password-x', rememberMe: true },
    });
    expectError(res, 'invalid_request');
    expect(JSON.stringify(res.body.error.details)).toContain('rememberMe');
    const created = await host.http('POST', '/v1/admin/users', {
      token: 'admin',
      body: { handle: 'typo_user', displayName: 'T', passwrd: 'password-x' },
    });
    expectError(created, 'invalid_request');
    const lookup = await host.http('GET', '/v1/users?handle=typo_user', { token: ada.token });
    expectError(lookup, 'user_not_found');
  });

  it('a body over http.bodyLimitBytes is 413 payload_too_large; one just under is read', async () => {
    const padded = (size: number) => {
      const json = JSON.stringify({ handle: 'nobody_here', password: 'wrong-password' });
      return json.slice(0, -1) + ' '.repeat(size - json.length) + '}';
    };
    expectError(await host.http('POST', '/v1/auth/login', { rawBody: padded(BODY_LIMIT * 2) }), 'payload_too_large');
    expectError(
      await host.http('POST', '/v1/auth/login', { rawBody: padded(BODY_LIMIT - 100) }),
      'invalid_credentials',
    );
  });

  it('an authenticated endpoint without a token is 401 unauthenticated', async () => {
    expectError(await host.http('GET', '/v1/me'), 'unauthenticated');
    expectError(await host.http('GET', '/v1/conversations'), 'unauthenticated');
    expectError(await host.http('GET', '/v1/me', { token: 'sb_forged_token_value' }), 'unauthenticated');
  });

  it('a conversation the caller is not in is 404 conversation_not_found, like one that does not exist', async () => {
    const outsider = await host.createUser();
    const group = await host.createGroup(ada, []);
    const hidden = await host.http('GET', `/v1/conversations/${group.id}`, { token: outsider.token });
    const missing = await host.http('GET', `/v1/conversations/${randomUUID()}`, { token: outsider.token });
    expectError(hidden, 'conversation_not_found');
    expectError(missing, 'conversation_not_found');
  });
});

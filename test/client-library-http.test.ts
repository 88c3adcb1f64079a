/**
 * The client library's typed HTTP API: answers as wire types, and every failure a ClientError
 * with the host's code, HTTP status, details and request id (network_error when unreachable).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HttpApi } from '../sdk/client/index.js';
import { clientRefusal, libraryTestHost } from './support/client-library.js';
import { freePort } from './support/e2e.js';

/** A web client build of one page: the host serves it at / as HTML, with 200. */
const webRoot = mkdtempSync(join(tmpdir(), 'switchboard-web-'));
writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>Switchboard</title>');

describe('client library: HttpApi', () => {
  const host = libraryTestHost({ config: { web: { root: webRoot } } });

  it('logs in (keeping the token), reads users and conversations, and logs out (revoking it)', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const api = new HttpApi({ baseUrl: `${host.url}/` });
    const login = await api.login(a.handle, a.password);
    expect(login).toMatchObject({
      token: expect.stringMatching(/^sb_/),
      tokenId: expect.any(String),
      user: { id: a.id },
    });
    expect(api.token).toBe(login.token);
    expect(await api.me()).toMatchObject({ id: a.id, handle: a.handle });
    expect(await api.userByHandle(b.handle)).toMatchObject({ id: b.id });
    expect(await api.user(b.id)).toMatchObject({ handle: b.handle });

    const direct = await api.direct(b.id);
    const group = await api.createGroup('Team', [b.id]);
    expect(await api.renameGroup(group.id, 'Renamed')).toMatchObject({ id: group.id, title: 'Renamed' });
    expect((await api.conversations()).map((c) => c.id).sort()).toEqual([direct.id, group.id].sort());
    expect(await api.conversation(direct.id)).toMatchObject({ id: direct.id, kind: 'direct', myRole: 'member' });
    const members = await api.members(group.id, { limit: 1 });
    expect(members).toMatchObject({ members: [expect.objectContaining({ role: expect.any(String) })], hasMore: true });
    expect(await api.commands(group.id)).toEqual([]);
    expect(await api.request('GET', '/v1/me')).toEqual(await api.me());

    await api.logout();
    expect(api.token).toBeNull();
    const refused = await clientRefusal(new HttpApi({ baseUrl: host.url, token: login.token }).me());
    expect(refused).toMatchObject({ status: 401 });
  });

  it('a refusal carries the code, status, message and request id; invalid_request its details', async () => {
    const a = await host.createUser();
    const wrong = await clientRefusal(new HttpApi({ baseUrl: host.url }).login(a.handle, 'not the password'));
    expect(wrong).toMatchObject({ code: 'invalid_credentials', status: 401, message: expect.any(String) });
    expect(wrong.requestId).toMatch(/\S+/);

    const api = new HttpApi({ baseUrl: host.url, token: a.token });
    expect(await clientRefusal(api.conversation('no-such-conversation'))).toMatchObject({
      code: 'conversation_not_found',
      status: 404,
    });
    const invalid = await clientRefusal(api.createGroup(''));
    expect(invalid).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(invalid.details!.length).toBeGreaterThan(0);
    expect(
      invalid.details!.every(
        (d: { path: string; message: string }) => d.path === '/title' && typeof d.message === 'string',
      ),
    ).toBe(true);
    expect(await clientRefusal(api.request('GET', '/v1/nowhere'))).toMatchObject({
      code: 'route_not_found',
      status: 404,
    });
  });

  it('an unreachable host is network_error', async () => {
    const api = new HttpApi({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    const error = await clientRefusal(api.me());
    expect(error).toMatchObject({ code: 'network_error' });
    expect(error.status).toBeUndefined();
  });

  it("a 2xx answer that is not the API's JSON (the web client's page) is network_error with its status", async () => {
    const page = await host.http('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const error = await clientRefusal(new HttpApi({ baseUrl: host.url }).request('GET', '/'));
    expect(error).toMatchObject({ code: 'network_error', status: 200 });
    expect(error.requestId).toMatch(/\S+/);
  });
});

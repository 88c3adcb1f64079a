/**
 * Input rules for HTTP strings, identically on SQLite and PostgreSQL: a lone UTF-16 surrogate
 * or U+0000 in a body field, a path parameter or a query parameter is a 400 invalid_request
 * naming it, on core routes and plugin routes alike, and nothing is stored or looked up.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { LONE, NUL, inputRulesConfig } from './support/input-rules-helpers.js';

describe('input rules', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let conversationId: string;
  beforeAll(async () => {
    host = await startTestHost({ config: inputRulesConfig });
    [ada, bob] = await Promise.all([host.createUser(), host.createUser()]);
    conversationId = (await host.createGroup(ada, [bob])).id;
  });
  afterAll(async () => {
    await host?.stop();
  });

  const stored = async () => fullHistory(host.url, ada.token, conversationId);

  describe('HTTP bodies, query and path parameters', () => {
    const expect400 = (res: { status: number; body: any }, path: string, problem: string) => {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_request',
        details: [{ path, message: expect.stringContaining(problem) }],
      });
    };

    it.each([
      ['surrogate', LONE],
      ['U+0000', NUL],
    ])('%s in a title, a displayName, a login, a clientMsgId and text', async (problem, bad) => {
      expect400(
        await host.http('POST', '/v1/conversations', { token: ada.token, body: { title: bad } }),
        '/title',
        problem,
      );
      expect400(
        await host.http('PATCH', `/v1/conversations/${conversationId}`, { token: ada.token, body: { title: bad } }),
        '/title',
        problem,
      );
      expect400(
        await host.http('POST', '/v1/admin/users', {
          token: 'admin',
          body: { handle: `h${randomUUID().slice(0, 8)}`, displayName: bad },
        }),
        '/displayName',
        problem,
      );
      expect400(
        await host.http('POST', '/v1/auth/login', { body: { handle: bad, password: 'whatever-it-is' } }),
        '/handle',
        problem,
      );
      const before = (await stored()).length;
      const body = { clientMsgId: bad, content: { type: 'text', text: 'hi' } };
      for (let i = 0; i < 2; i++) {
        expect400(
          await host.http('POST', `/v1/conversations/${conversationId}/messages`, { token: ada.token, body }),
          '/clientMsgId',
          problem,
        );
      }
      expect400(
        await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
          token: ada.token,
          body: { clientMsgId: randomUUID(), content: { type: 'text', text: bad } },
        }),
        '/content/text',
        problem,
      );
      expect((await stored()).length).toBe(before);
      const title = await host.http('GET', `/v1/conversations/${conversationId}`, { token: ada.token });
      expect(title.body.title).toBe('Test group');
    });

    it('path parameters: %00 and an encoded lone surrogate are refused, not looked up', async () => {
      expect400(await host.http('GET', '/v1/users/%00', { token: ada.token }), '/path', 'U+0000');
      expect400(await host.http('GET', '/v1/users/%ED%A0%80', { token: ada.token }), '/path', 'percent-encoded UTF-8');
      expect400(
        await host.http('GET', `/v1/conversations/${conversationId}%00/members`, { token: ada.token }),
        '/path',
        'U+0000',
      );
      expect((await host.http('GET', `/v1/users/${bob.id}`, { token: ada.token })).status).toBe(200);
    });

    it('query parameters: %00 and an encoded lone surrogate are refused', async () => {
      expect400(await host.http('GET', '/v1/users?handle=ab%00c', { token: ada.token }), '/query/handle', 'U+0000');
      expect400(
        await host.http('GET', '/v1/users?handle=%ED%B0%80', { token: ada.token }),
        '/query/handle',
        'percent-encoded UTF-8',
      );
      expect((await host.http('GET', `/v1/users?handle=${bob.handle}`, { token: ada.token })).status).toBe(200);
    });

    it('a plugin route gets the same rules for its body and its path', async () => {
      expect400(
        await host.http('POST', '/plugins/routes/echo', { rawBody: '{"a":["ok","x\\u0000"]}' }),
        '/a/1',
        'U+0000',
      );
      expect400(await host.http('POST', '/plugins/routes/echo', { rawBody: '{"a":"\\ud800"}' }), '/a', 'surrogate');
      expect400(await host.http('GET', '/plugins/routes/items/%00'), '/path', 'U+0000');
      expect((await host.http('POST', '/plugins/routes/echo', { rawBody: '{"a":"fine"}' })).status).toBe(200);
    });
  });
});

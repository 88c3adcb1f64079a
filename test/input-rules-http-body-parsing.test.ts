/**
 * Input rules for raw HTTP bodies: bytes that are not UTF-8 and charsets other than UTF-8 are
 * refused (never stored as U+FFFD), on core and plugin routes; UTF-8 with a BOM passes; a
 * `__proto__` field anywhere in a body is a 400 invalid_request.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { inputRulesConfig } from './support/input-rules-helpers.js';

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

  describe('bytes that are not UTF-8 in an HTTP body', () => {
    // "hé" with the é cut to its first byte, then a stray continuation byte: not UTF-8.
    const broken = (before: string, after: string) =>
      Buffer.concat([Buffer.from(before), Buffer.from([0xc3, 0x28, 0x80]), Buffer.from(after)]);
    const expectNotUtf8 = (res: { status: number; body: any }) => {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_request',
        details: [{ path: '/body', message: expect.stringContaining('not valid UTF-8') }],
      });
    };

    it('are refused on core routes, never stored as U+FFFD', async () => {
      const before = (await stored()).length;
      const body = broken(`{"clientMsgId":"${randomUUID()}","content":{"type":"text","text":"h`, '"}}');
      expectNotUtf8(
        await host.http('POST', `/v1/conversations/${conversationId}/messages`, { token: ada.token, rawBody: body }),
      );
      expectNotUtf8(
        await host.http('PATCH', `/v1/conversations/${conversationId}`, {
          token: ada.token,
          rawBody: broken('{"title":"', '"}'),
        }),
      );
      expectNotUtf8(
        await host.http('POST', '/v1/auth/login', { rawBody: broken('{"handle":"', '","password":"password1"}') }),
      );
      expect((await stored()).length).toBe(before);
      expect((await host.http('GET', `/v1/conversations/${conversationId}`, { token: ada.token })).body.title).toBe(
        'Test group',
      );
    });

    it('are refused on plugin routes too, which get the body as text', async () => {
      expectNotUtf8(await host.http('POST', '/plugins/routes/echo', { rawBody: broken('{"a":"', '"}') }));
    });

    it('a charset other than UTF-8 is refused; UTF-8 with a BOM and multi-byte text pass unchanged', async () => {
      const latin1 = await host.http('POST', '/v1/auth/login', {
        rawBody: Buffer.from('{"handle":"h\u00e9","password":"password1"}'),
        headers: { 'content-type': 'application/json; charset=latin1' },
      });
      expect(latin1.status).toBe(400);
      expect(latin1.body.error).toMatchObject({
        code: 'invalid_request',
        details: [{ path: '/body', message: 'must be UTF-8' }],
      });
      const text = 'héllo 🌍';
      const body = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(JSON.stringify({ clientMsgId: randomUUID(), content: { type: 'text', text } })),
      ]);
      const sent = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
        token: ada.token,
        rawBody: body,
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      expect((await stored()).at(-1)?.content).toEqual({ type: 'text', text });
    });
  });

  describe('__proto__ in an HTTP body', () => {
    const proto = (extra: string) => `{"__proto__":{"admin":true}${extra}}`;
    const expectProto = (res: { status: number; body: any }, path = '/__proto__') => {
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'invalid_request',
        details: [{ path, message: 'is not an allowed field' }],
      });
    };

    it('login (unauthenticated) answers 400 invalid_request', async () => {
      expectProto(
        await host.http('POST', '/v1/auth/login', { rawBody: proto(',"handle":"ada","password":"password1"') }),
      );
    });

    it('authenticated POST and PATCH answer 400 invalid_request, nested keys included', async () => {
      expectProto(await host.http('POST', '/v1/conversations', { token: ada.token, rawBody: proto(',"title":"t"') }));
      expectProto(
        await host.http('PATCH', `/v1/conversations/${conversationId}`, {
          token: ada.token,
          rawBody: proto(',"title":"t"'),
        }),
      );
      expectProto(
        await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
          token: ada.token,
          rawBody: `{"clientMsgId":"c1","content":{"type":"poll.vote","body":{"a":{"__proto__":1}}}}`,
        }),
        '/content/body/a/__proto__',
      );
      expectProto(
        await host.http('POST', '/v1/admin/users', {
          token: 'admin',
          rawBody: proto(',"handle":"proto_user","displayName":"P"'),
        }),
      );
    });
  });
});

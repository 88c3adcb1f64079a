/**
 * The input rules every client string keeps, over WebSocket and HTTP alike and identically on
 * SQLite and PostgreSQL: well-formed Unicode (no lone UTF-16 surrogate) and no U+0000, in every
 * string of every frame, body, query and path parameter, field names included; no `__proto__`
 * field; an HTTP body is strict UTF-8; a wrong method is a JSON 405 with Allow; an auth frame with unknown fields is refused;
 * `replyTo` echoes only valid ids; lengths count code points.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { RequestError, type TestClient } from './support/test-client.js';
import { closeCodeWithin, fullHistory, openRaw, ping, repoRoot } from './support/e2e.js';
import { enable, probeManifest, roomWith } from './support/plugin-helpers.js';

const LONE = 'x\ud800';
const NUL = 'x\u0000y';
const MAX_TEXT = 10;

const HTTP_ROUTES_ENTRY = `${repoRoot}/test/fixtures/plugins/http-routes/index.ts`;
const routesPlugin = enable(
  {
    id: 'routes',
    name: 'HTTP routes',
    version: '1.0.0',
    description: 'A test fixture that serves HTTP routes.',
    author: { name: 'Switchboard tests' },
    engine: '^1.0.0',
    runtime: 'trusted',
    entry: HTTP_ROUTES_ENTRY,
    permissions: { 'http.routes': {} },
    contributes: {
      routes: [
        { method: 'POST', path: '/echo', auth: 'none' },
        { method: 'GET', path: '/items/:itemId', auth: 'none' },
      ],
    },
  },
  { settings: { skip: [], extra: [] } },
);
const nulHook = enable(
  probeManifest('nulhook', {
    command: 'nulhook',
    hooks: [{ failMode: 'closed' }],
    permissions: { commands: {}, hooks: {} },
  }),
  { settings: { command: 'nulhook', hook: { when: 'add-nul', action: 'append', text: '\u0000' } } },
);

/** An error frame answering `replyTo` (null for frames whose id could not be used). */
const errorOf = (client: TestClient, replyTo: string | null) =>
  client.waitFor((f) => f.type === 'error' && f.replyTo === replyTo, 5000).then((f) => f.error);

async function refusal(client: TestClient, frame: Record<string, unknown>): Promise<any> {
  return client.request(frame).then(
    (data) => {
      throw new Error(`accepted: ${JSON.stringify(data)}`);
    },
    (e: RequestError) => e.error,
  );
}

describe('input rules', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let conversationId: string;
  let client: TestClient;
  beforeAll(async () => {
    host = await startTestHost({
      config: { messages: { maxTextLength: MAX_TEXT }, plugins: { enabled: [routesPlugin, nulHook] } },
    });
    [ada, bob] = await Promise.all([host.createUser(), host.createUser()]);
    conversationId = (await host.createGroup(ada, [bob])).id;
    client = await host.connect(ada.token);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const send = (patch: Record<string, unknown>) => ({
    type: 'send',
    conversationId,
    clientMsgId: randomUUID(),
    content: { type: 'text', text: 'fine' },
    ...patch,
  });
  const stored = async () => fullHistory(host.url, ada.token, conversationId);

  describe('WebSocket frames', () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['a lone surrogate in clientMsgId', 'surrogate', { clientMsgId: LONE }, '/clientMsgId'],
      ['U+0000 in clientMsgId', 'U+0000', { clientMsgId: NUL }, '/clientMsgId'],
      ['a lone surrogate in text', 'surrogate', { content: { type: 'text', text: LONE } }, '/content/text'],
      ['U+0000 in text', 'U+0000', { content: { type: 'text', text: NUL } }, '/content/text'],
      ['a lone low surrogate in conversationId', 'surrogate', { conversationId: '\udc00abc' }, '/conversationId'],
      [
        'U+0000 deep in a structured body',
        'U+0000',
        { content: { type: 'payments.transfer', body: { items: [{ note: NUL }] } } },
        '/content/body/items/0/note',
      ],
      [
        'a lone surrogate in a field name of a body',
        'surrogate',
        { content: { type: 'poll.vote', body: { a: { [LONE]: 1 } } } },
        '/content/body/a',
      ],
    ];
    it.each(cases)('%s: invalid_request naming the field, nothing stored', async (_name, problem, patch, path) => {
      const before = (await stored()).length;
      const error = await refusal(client, send(patch));
      expect(error.code).toBe('invalid_request');
      expect(error.details).toEqual([{ path, message: expect.stringContaining(problem) }]);
      expect(error.message).toContain(path);
      expect((await stored()).length).toBe(before);
    });

    it('an exact resend of a clientMsgId with a lone surrogate is refused again, never a 500', async () => {
      const frame = send({ clientMsgId: LONE });
      for (let i = 0; i < 2; i++) {
        const error = await refusal(client, { ...frame, id: `resend-${i}` });
        expect(error.code).toBe('invalid_request');
      }
      const history = await stored();
      expect(history.filter((m) => m.clientMsgId?.startsWith('x'))).toEqual([]);
    });

    it('a __proto__ field anywhere in a frame is refused like any unknown field', async () => {
      const raw =
        `{"type":"send","id":"proto1","conversationId":"${conversationId}","clientMsgId":"${randomUUID()}",` +
        '"content":{"type":"poll.vote","body":{"x":{"__proto__":{"admin":true}}}}}';
      const error = errorOf(client, 'proto1');
      client.sendRaw(raw);
      expect(await error).toMatchObject({
        code: 'invalid_request',
        details: [{ path: '/content/body/x/__proto__', message: 'is not an allowed field' }],
      });
    });

    it('replyTo echoes only a valid id: numeric, too long or ill-formed ids get null', async () => {
      for (const id of [42, 'i'.repeat(65), `id${LONE}`, 'id\u0000']) {
        const error = errorOf(client, null);
        client.sendRaw({ type: 'history', id, conversationId });
        expect((await error).code, String(id)).toBe('invalid_request');
      }
      // 64 characters counted in code points (128 UTF-16 units) is still a valid id.
      const emojiId = '😀'.repeat(64);
      const answer = client.waitFor((f) => f.replyTo === emojiId, 5000);
      client.sendRaw({ type: 'history', id: emojiId, conversationId, limit: 1 });
      expect((await answer).type).toBe('result');
    });

    it('a frame that is not an object: invalid_request with replyTo null', async () => {
      for (const raw of ['[1,2]', '"send"', '7', 'null']) {
        const error = errorOf(client, null);
        client.sendRaw(raw);
        expect(await error).toMatchObject({
          code: 'invalid_request',
          details: [{ path: '/', message: 'must be object' }],
        });
      }
      expect(await ping(client)).toBe(true);
    });

    it('typing carries no id: one is refused as an unknown field, answering that id', async () => {
      const error = await refusal(client, { type: 'typing', id: 't1', conversationId, state: 'started' });
      expect(error).toMatchObject({
        code: 'invalid_request',
        details: [{ path: '/id', message: 'is not an allowed field' }],
      });
    });

    it('text length counts code points: maxTextLength emoji pass, one more is refused', async () => {
      const ok = await client.sendText(conversationId, '😀'.repeat(MAX_TEXT));
      expect(ok.message.content.text).toBe('😀'.repeat(MAX_TEXT));
      const error = await refusal(client, send({ content: { type: 'text', text: '😀'.repeat(MAX_TEXT + 1) } }));
      expect(error.details).toEqual([{ path: '/content/text', message: expect.stringContaining(String(MAX_TEXT)) }]);
    });

    it('a plugin hook that adds U+0000 is refused the same way on both databases', async () => {
      const room = await roomWith(host, ada, ['nulhook']);
      const error = await refusal(client, {
        type: 'send',
        conversationId: room.id,
        clientMsgId: randomUUID(),
        content: { type: 'text', text: 'add-nul' },
      });
      expect(error).toMatchObject({
        code: 'invalid_request',
        details: [{ path: '/content/text', message: expect.stringContaining('U+0000') }],
      });
      const passed = await client.sendText(room.id, 'plain');
      expect(passed.message.content.text).toBe('plain');
    });
  });

  describe('the auth frame', () => {
    it('an auth frame with an unknown field closes the socket with 4001, naming the field', async () => {
      const raw = await openRaw(host.wsUrl);
      raw.sendRaw({ type: 'auth', token: ada.token, colour: 'red' });
      expect(await closeCodeWithin(raw, 5000)).toBe(4001);
      const closed = await raw.closed;
      expect(closed.reason).toContain('/colour');
      expect(raw.frames.filter((f) => f.type === 'ready')).toEqual([]);
    });

    it('an auth frame with U+0000 or a lone surrogate in the token closes with 4001', async () => {
      for (const token of [`${ada.token}\u0000`, `${ada.token}\ud800`]) {
        const raw = await openRaw(host.wsUrl);
        raw.sendRaw({ type: 'auth', token });
        expect(await closeCodeWithin(raw, 5000)).toBe(4001);
      }
    });

    it('a well-formed auth frame still gets ready', async () => {
      const c = await host.connect(ada.token, { auth: 'frame' });
      expect(await ping(c)).toBe(true);
      await c.close();
    });
  });

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

  describe('behaviours docs/protocol.md spells out', () => {
    it('an exact resend after an edit or a delete answers duplicate:true with the current state', async () => {
      const clientMsgId = randomUUID();
      const first = await client.sendText(conversationId, 'orig', clientMsgId);
      await client.request({
        type: 'edit',
        conversationId,
        messageId: first.message.id,
        content: { type: 'text', text: 'edited' },
      });
      const afterEdit = await client.sendText(conversationId, 'orig', clientMsgId);
      expect(afterEdit).toMatchObject({
        duplicate: true,
        message: { id: first.message.id, content: { text: 'edited' } },
      });
      await client.request({ type: 'delete', conversationId, messageId: first.message.id });
      const afterDelete = await client.sendText(conversationId, 'orig', clientMsgId);
      expect(afterDelete).toMatchObject({ duplicate: true, message: { id: first.message.id, content: null } });
      expect(afterDelete.message.deletedAt).not.toBeNull();
    });

    it('a clientMsgId is scoped to its conversation and sender', async () => {
      const clientMsgId = randomUUID();
      const bobClient = await host.connect(bob.token);
      const a = await client.sendText(conversationId, 'same id', clientMsgId);
      const b = await bobClient.sendText(conversationId, 'same id', clientMsgId);
      expect(b.duplicate).toBe(false);
      expect(b.message.id).not.toBe(a.message.id);
      await bobClient.close();
    });

    it("receipts reach the reader too, on every connection; typing reaches none of the typist's", async () => {
      const other = await host.connect(ada.token);
      const bobClient = await host.connect(bob.token);
      const { message } = await bobClient.sendText(conversationId, 'read me');
      const mine = other.waitFor((f) => f.type === 'receipt' && f.userId === ada.id && f.seq === message.seq, 5000);
      const ownConn = client.waitFor((f) => f.type === 'receipt' && f.userId === ada.id && f.seq === message.seq, 5000);
      await client.request({ type: 'read', conversationId, seq: message.seq });
      await Promise.all([mine, ownConn]);
      const seen = bobClient.waitFor((f) => f.type === 'typing' && f.userId === ada.id, 5000);
      client.sendRaw({ type: 'typing', conversationId, state: 'started' });
      await seen;
      // Fan-out writes to every member's sockets in one go; a pong after it proves none came.
      await Promise.all([ping(client), ping(other)]);
      expect([...client.frames, ...other.frames].filter((f) => f.type === 'typing')).toEqual([]);
      await Promise.all([other.close(), bobClient.close()]);
    });

    it('resume: a message created and edited since arrives once, as message.created at its newest pts; a second resume works', async () => {
      const group = await host.createGroup(ada, [bob], 'resume twice');
      const start = (await host.http('GET', `/v1/conversations/${group.id}`, { token: ada.token })).body.lastPts;
      const { message } = await client.sendText(group.id, 'v1');
      const edited = await client.request({
        type: 'edit',
        conversationId: group.id,
        messageId: message.id,
        content: { type: 'text', text: 'v2' },
      });
      const fresh = await host.connect(ada.token);
      const first = await fresh.request({ type: 'resume', conversations: [{ conversationId: group.id, pts: start }] });
      expect(first.conversations).toEqual([
        { conversationId: group.id, status: 'caught_up', pts: edited.message.pts, seq: message.seq },
      ]);
      const frames = fresh.frames.filter((f) => f.conversationId === group.id && f.type.startsWith('message.'));
      expect(frames).toEqual([
        expect.objectContaining({
          type: 'message.created',
          pts: edited.message.pts,
          message: expect.objectContaining({ content: { type: 'text', text: 'v2' } }),
        }),
      ]);
      const again = await fresh.request({
        type: 'resume',
        conversations: [{ conversationId: group.id, pts: edited.message.pts }],
      });
      expect(again.conversations[0]).toMatchObject({ status: 'caught_up', pts: edited.message.pts });
      const older = await fresh.request({ type: 'resume', conversations: [{ conversationId: group.id, pts: start }] });
      expect(older.conversations[0]).toMatchObject({ status: 'resync', pts: edited.message.pts });
      expect(fresh.frames.filter((f) => f.conversationId === group.id && f.type.startsWith('message.')).length).toBe(1);
      await fresh.close();
    });

    it('admin routes: no bearer token is 401 unauthenticated; any other token is 403 admin_required', async () => {
      expect((await host.http('GET', '/v1/admin/apps')).body.error.code).toBe('unauthenticated');
      for (const token of [ada.token, 'sb_not-a-real-token']) {
        const res = await host.http('GET', '/v1/admin/apps', { token });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('admin_required');
      }
    });
  });

  describe('methods and unknown paths', () => {
    it('a wrong method on an existing path: 405 method_not_allowed as JSON, with Allow', async () => {
      const res = await host.http('PUT', '/v1/me', { token: ada.token, body: {} });
      expect(res.status).toBe(405);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body.error.code).toBe('method_not_allowed');
      expect(res.headers.get('allow')?.split(/,\s*/)).toContain('GET');
      const del = await host.http('DELETE', '/v1/conversations', { token: ada.token });
      expect(del.status).toBe(405);
      expect(del.body.error.code).toBe('method_not_allowed');
      expect(del.headers.get('allow')?.split(/,\s*/).sort()).toEqual(expect.arrayContaining(['GET', 'POST']));
    });

    it('a method no route uses answers 405 JSON too, not a text 501', async () => {
      const res = await host.http('PURGE', '/v1/me', { token: ada.token });
      expect(res.status).toBe(405);
      expect(res.body.error.code).toBe('method_not_allowed');
      expect(res.headers.get('allow')).toContain('GET');
    });

    it('unknown paths answer the JSON 404 shape, whatever the method', async () => {
      for (const method of ['GET', 'POST', 'PUT', 'PURGE']) {
        const res = await host.http(method, '/v1/nothing-here', { token: ada.token });
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.body.error.code).toBe('route_not_found');
        expect(res.headers.get('allow')).toBeNull();
      }
    });
  });
});

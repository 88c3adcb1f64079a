/**
 * Input rules for WebSocket frames, identically on SQLite and PostgreSQL: well-formed Unicode
 * (no lone UTF-16 surrogate) and no U+0000 in every string of a frame, field names included; no
 * `__proto__` field; `replyTo` echoes only valid ids; text lengths count code points; a plugin hook
 * adding U+0000 is refused; an auth frame with unknown fields or bad strings is refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { type TestClient } from './support/test-client.js';
import { closeCodeWithin, fullHistory, openRaw, ping } from './support/e2e.js';
import { roomWith } from './support/plugin-helpers.js';
import { LONE, MAX_TEXT, NUL, errorOf, inputRulesConfig, refusal } from './support/input-rules-helpers.js';

describe('input rules', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let conversationId: string;
  let client: TestClient;
  beforeAll(async () => {
    host = await startTestHost({ config: inputRulesConfig });
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
});

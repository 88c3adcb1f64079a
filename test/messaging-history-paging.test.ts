/**
 * Messaging end to end, history paging over WebSocket and HTTP: newest-first, before and
 * after, always ascending; refusing before with after and limits outside 1..100.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { type TestClient } from './support/test-client.js';
import { refusal } from './support/protocol-helpers.js';
import { messagingHostOptions, pairOn } from './support/messaging-helpers.js';

describe('messaging', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost(messagingHostOptions);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const pair = () => pairOn(host);

  describe('history paging', () => {
    type Page = { messages: any[]; hasMore: boolean };
    const transports: Record<
      string,
      (h: TestHost, c: TestClient, u: TestUser, id: string, q: Record<string, number>) => Promise<Page>
    > = {
      websocket: (_h, c, _u, id, q) => c.request<Page>({ type: 'history', conversationId: id, ...q }),
      http: async (h, _c, u, id, q) => {
        const qs = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();
        const res = await h.http('GET', `/v1/conversations/${id}/messages${qs ? `?${qs}` : ''}`, { token: u.token });
        expect(res.status).toBe(200);
        return res.body;
      },
    };

    it.each(Object.keys(transports))(
      'pages newest-first, before and after, always ascending, over %s',
      async (name) => {
        const page = transports[name]!;
        const { a, conv, ca } = await pair();
        for (let i = 1; i <= 12; i++) await ca.sendText(conv.id, `m${i}`);
        const all = (await page(host, ca, a, conv.id, { limit: 100 })).messages;
        const L = conv.lastSeq + 12;
        expect(all.map((m) => m.seq)).toEqual(Array.from({ length: L }, (_, i) => i + 1));
        const seqs = (p: Page) => p.messages.map((m) => m.seq);

        const newest = await page(host, ca, a, conv.id, { limit: 5 });
        expect(seqs(newest)).toEqual([L - 4, L - 3, L - 2, L - 1, L]);
        expect(newest.hasMore).toBe(true);
        expect(newest.messages.at(-1)).toEqual(all.at(-1));

        const older = await page(host, ca, a, conv.id, { before: L - 4, limit: 5 });
        expect(seqs(older)).toEqual([L - 9, L - 8, L - 7, L - 6, L - 5]);
        expect(older.hasMore).toBe(L - 9 > 1);
        const oldest = await page(host, ca, a, conv.id, { before: 3, limit: 5 });
        expect(seqs(oldest)).toEqual([1, 2]);
        expect(oldest.hasMore).toBe(false);

        const after = await page(host, ca, a, conv.id, { after: 2, limit: 4 });
        expect(seqs(after)).toEqual([3, 4, 5, 6]);
        expect(after.hasMore).toBe(true);
        const tail = await page(host, ca, a, conv.id, { after: L - 2, limit: 4 });
        expect(seqs(tail)).toEqual([L - 1, L]);
        expect(tail.hasMore).toBe(false);
      },
    );

    it('refuses before together with after, and limits outside 1..100', async () => {
      const { a, conv, ca } = await pair();
      for (const q of [{ before: 5, after: 1 }, { limit: 0 }, { limit: 101 }]) {
        expect((await refusal(ca.request({ type: 'history', conversationId: conv.id, ...q }))).code).toBe(
          'invalid_request',
        );
        const qs = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)])).toString();
        const res = await host.http('GET', `/v1/conversations/${conv.id}/messages?${qs}`, { token: a.token });
        expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
      }
    });
  });
});

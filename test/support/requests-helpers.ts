/**
 * Helpers for the payment-request suites: invoicing fixture plugins (test/fixtures/plugins/merchant),
 * the requests API as users and as those plugins, and bots' balances.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TestHost, TestUser } from './start-test-host.js';
import { fullHistory, repoRoot } from './e2e.js';
import { eventually } from './eventually.js';
import { PIN, type PaymentsApi } from './payments-helpers.js';
import { enable } from './plugin-helpers.js';
export type Res = { status: number; body: any };

export const MERCHANT_ENTRY = join(repoRoot, 'test/fixtures/plugins/merchant/index.ts');
export const SHOP_MANIFEST = join(repoRoot, 'manifests/shop.json');
export const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** An invoicing plugin (test/fixtures/plugins/merchant) under the given id. */
export function merchant(
  id: string,
  settings: Record<string, unknown> = {},
  grants?: Record<string, false | Record<string, unknown>>,
) {
  return enable(
    {
      id,
      name: `Merchant ${id}`,
      version: '1.0.0',
      description: 'Invoices through payments.request.',
      author: 'Switchboard tests',
      engine: '^1.0.0',
      runtime: 'trusted',
      entry: MERCHANT_ENTRY,
      permissions: { 'services.call': { services: ['payments.request'] }, storage: {}, 'http.routes': {} },
      contributes: {
        services: [{ name: 'preCheckout' }, { name: 'paymentResult' }],
        routes: [
          { method: 'POST', path: '/invoice', auth: 'admin' },
          { method: 'GET', path: '/records', auth: 'admin' },
        ],
        settings: {
          type: 'object',
          additionalProperties: false,
          properties: { preCheckout: { enum: ['ok', 'refuse', 'hang', 'throw'] }, refuseReason: { type: 'string' } },
        },
      },
    },
    { settings, ...(grants ? { grants } : {}) },
  );
}

export const callbacksOf = (ids: string[]) => ids.flatMap((id) => [`${id}.preCheckout`, `${id}.paymentResult`]);

/** Requests, invoices and the merchants' records, for one host. */
export function requestsApi(host: TestHost, api: PaymentsApi) {
  const self = {
    ask: (
      requester: TestUser,
      payer: TestUser | string,
      amountMinor: number,
      conversationId: string,
      extra: Record<string, unknown> = {},
    ): Promise<Res> =>
      api.call(requester, 'POST', '/requests', {
        from: typeof payer === 'string' ? payer : payer.id,
        amountMinor,
        currency: 'EUR',
        conversationId,
        idempotencyKey: randomUUID(),
        ...extra,
      }),
    pay: (payer: TestUser, requestId: string, extra: Record<string, unknown> = {}): Promise<Res> =>
      api.call(payer, 'POST', `/requests/${requestId}/pay`, { pin: PIN, idempotencyKey: randomUUID(), ...extra }),
    decline: (payer: TestUser, requestId: string): Promise<Res> =>
      api.call(payer, 'POST', `/requests/${requestId}/decline`, {}),
    async get(user: TestUser, requestId: string): Promise<any> {
      const res = await api.call(user, 'GET', `/requests/${requestId}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
    /** Calls payments.request as the merchant plugin `id`; answers { ok, value } or { ok: false, code, message, details }. */
    async invoice(id: string, input: Record<string, unknown>): Promise<any> {
      const res = await host.http('POST', `/plugins/${id}/invoice`, { token: 'admin', body: input });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
    async records(id: string): Promise<{ preCheckout: any[]; results: any[] }> {
      const res = await host.http('GET', `/plugins/${id}/records`, { token: 'admin' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
    /** Polls the merchant's records until one result for the request arrived (10 s at most). */
    async resultFor(id: string, requestId: string): Promise<any> {
      return eventually(
        async () => {
          const found = (await self.records(id)).results.filter((r) => r.input.requestId === requestId);
          return found.length > 0 && found;
        },
        { what: `a paymentResult for ${requestId} to reach ${id}` },
      );
    },
    /** The request's message in the conversation, as the payer sees it. */
    async message(user: TestUser, conversationId: string, requestId: string): Promise<any> {
      const found = (await fullHistory(host.url, user.token, conversationId)).filter(
        (m) => m.content?.type === 'payments.request' && m.content.body.requestId === requestId,
      );
      expect(found, `messages of request ${requestId}`).toHaveLength(1);
      return found[0];
    },
  };
  return self;
}

/** A bot's balance, through GET /balance with a service token the operator issues for the bot. */
export async function botBalance(host: TestHost, botId: string, currency = 'EUR'): Promise<number> {
  const issued = await host.http('POST', `/v1/admin/users/${botId}/tokens`, {
    token: 'admin',
    body: { label: 'test' },
  });
  expect(issued.status, JSON.stringify(issued.body)).toBe(201);
  const res = await host.http('GET', '/plugins/payments/balance', { token: issued.body.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.balances.find((b: any) => b.currency === currency)?.balanceMinor ?? 0;
}

/**
 * Helpers for the business-chat suites: a host with the business plugin (fast webhook retries),
 * optionally the support bot fixture and payments, and a client for the plugin's HTTP API.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { enable } from './plugin-helpers.js';
import { repoRoot } from './e2e.js';
import { startTestHost, type TestHost, type TestUser } from './start-test-host.js';
import type { TestDatabase } from './test-database.js';

export const BUSINESS_MANIFEST = join(repoRoot, 'manifests/business.json');
export const PAYMENTS_MANIFEST = join(repoRoot, 'manifests/payments.json');
/** The business services a bot calls. */
export const SUPPORT_BOT_SERVICES = [
  'business.send',
  'business.passThreadControl',
  'business.takeThreadControl',
  'business.requestThreadControl',
  'business.thread',
];
export const SUPPORT_BOT_ENTRY = join(repoRoot, 'test/fixtures/plugins/support-bot/index.ts');
/** Retries after about 150 ms, 300 ms, … so that a test sees a dead letter within seconds. */
export const FAST_WEBHOOKS = { maxAttempts: 3, backoffMs: 150, maxBackoffMs: 1000, timeoutMs: 2000 };

/** The support bot fixture under `id`, allowed the business services. */
export function supportBot(
  id = 'support-bot',
  settings: Record<string, unknown> = {},
  runtime: 'trusted' | 'sandbox' = 'trusted',
) {
  return enable(
    {
      id,
      name: `Support bot ${id}`,
      version: '1.0.0',
      description: 'Answers customers first.',
      author: 'Switchboard tests',
      engine: '^1.0.0',
      runtime,
      entry: SUPPORT_BOT_ENTRY,
      permissions: { 'services.call': { services: SUPPORT_BOT_SERVICES }, storage: {}, 'http.routes': {} },
      contributes: {
        services: [{ name: 'businessEvent' }],
        routes: [
          { method: 'GET', path: '/events', auth: 'admin' },
          { method: 'POST', path: '/call', auth: 'admin' },
        ],
        settings: { type: 'object', additionalProperties: false, properties: { failEvents: { type: 'boolean' } } },
      },
    },
    { settings },
  );
}

export async function startBusinessHost(
  o: {
    bots?: ReturnType<typeof supportBot>[];
    payments?: boolean;
    settings?: Record<string, unknown>;
    grants?: Record<string, false | Record<string, unknown>>;
    /** Reuse a database (to restart on it) instead of a fresh one. */
    database?: TestDatabase;
  } = {},
): Promise<TestHost> {
  // The manifest's "*" never reaches loopback; the tests' receivers listen there, so name it.
  const grants = o.grants ?? { 'http.outbound': { hosts: ['127.0.0.1:*'] } };
  const business = { path: BUSINESS_MANIFEST, settings: { webhooks: FAST_WEBHOOKS, ...o.settings }, grants };
  const enabled = [...(o.payments ? [{ path: PAYMENTS_MANIFEST }] : []), business, ...(o.bots ?? [])];
  const host = await startTestHost({
    ...(o.database ? { database: o.database } : {}),
    config: { plugins: { enabled } },
  });
  const plugins = (await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins as {
    id: string;
    status: string;
  }[];
  for (const p of plugins) expect(p, JSON.stringify(p)).toMatchObject({ status: 'running' });
  return host;
}

export type Caller = TestUser | 'admin' | null;

/** The business plugin's HTTP API for one host. */
export function businessApi(host: TestHost) {
  const call = (user: Caller, method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    host.http(method, `/plugins/business${path}`, {
      ...(user ? { token: user === 'admin' ? 'admin' : user.token } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(headers ? { headers } : {}),
    });
  return {
    call,
    /** A business registered by the operator, with `owner` as its first admin. */
    async createBusiness(owner: TestUser, name = 'Acme Shoes'): Promise<string> {
      const res = await call('admin', 'POST', '/admin/businesses', { name, ownerId: owner.id });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    },
    async addAgent(owner: TestUser, businessId: string, agent: TestUser, team?: string): Promise<void> {
      const res = await call(owner, 'POST', `/businesses/${businessId}/agents`, {
        userId: agent.id,
        ...(team ? { team } : {}),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    },
    async startThread(
      customer: TestUser,
      businessId: string,
    ): Promise<{ threadId: string; conversationId: string; control: string }> {
      const res = await call(customer, 'POST', `/businesses/${businessId}/conversations`);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      return res.body;
    },
    /** The customer writes in their conversation (over HTTP; tests that need a socket use one). */
    async customerSays(customer: TestUser, conversationId: string, text: string) {
      const res = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
        token: customer.token,
        body: { clientMsgId: `${Date.now()}-${Math.random()}`, content: { type: 'text', text } },
      });
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      return res.body;
    },
    thread: async (agent: TestUser, threadId: string) => (await call(agent, 'GET', `/threads/${threadId}`)).body,
  };
}

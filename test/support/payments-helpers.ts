/**
 * Helpers for the payments suites: a host with the payments plugin, and its HTTP API as users
 * and as the operator.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { repoRoot } from './e2e.js';
import { startTestHost, type TestHost, type TestUser } from './start-test-host.js';
import type { TestDatabase } from './test-database.js';
import type { DeepPartial, HostConfig } from '../../host/config/host-config.js';

export const PAYMENTS_MANIFEST = `${repoRoot}/manifests/payments.json`;
export const PIN = '4711';

export async function startPaymentsHost(
  o: {
    settings?: Record<string, unknown>;
    database?: TestDatabase;
    config?: DeepPartial<HostConfig>;
    /** Another manifest file for payments (see paymentsManifestWith), and the operator's grants for it. */
    manifestPath?: string;
    grants?: Record<string, false | Record<string, unknown>>;
    /** More plugins.enabled entries, after payments. */
    plugins?: {
      path: string;
      settings?: Record<string, unknown>;
      grants?: Record<string, false | Record<string, unknown>>;
    }[];
  } = {},
): Promise<TestHost> {
  const payments = {
    path: o.manifestPath ?? PAYMENTS_MANIFEST,
    settings: o.settings ?? {},
    ...(o.grants ? { grants: o.grants } : {}),
  };
  const host = await startTestHost({
    ...(o.database ? { database: o.database } : {}),
    config: { ...o.config, plugins: { enabled: [payments, ...(o.plugins ?? [])] } },
  });
  const plugin = (await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins.find(
    (p: { id: string }) => p.id === 'payments',
  );
  expect(plugin, JSON.stringify(plugin)).toMatchObject({ id: 'payments', status: 'running' });
  return host;
}

export interface PaymentsApi {
  call(
    user: TestUser | 'admin' | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  setPin(user: TestUser, pin?: string): Promise<void>;
  topUp(user: TestUser, amountMinor: number, currency?: string, card?: string): Promise<{ status: number; body: any }>;
  transfer(
    from: TestUser,
    to: TestUser,
    amountMinor: number,
    extra?: Record<string, unknown>,
  ): Promise<{ status: number; body: any }>;
  balance(user: TestUser, currency?: string): Promise<number>;
  verify(): Promise<{ ok: boolean; problems: string[]; postings: number; transactions: number }>;
  totals(): Promise<Record<string, { users: number; holds: number; providers: number; total: number }>>;
  /** The ledger is whole: verify finds no problem, and every currency's accounts sum to zero. */
  expectLedgerWhole(): Promise<void>;
}

export function paymentsApi(host: TestHost): PaymentsApi {
  const call: PaymentsApi['call'] = async (user, method, path, body, headers) => {
    const res = await host.http(method, `/plugins/payments${path}`, {
      ...(user ? { token: user === 'admin' ? 'admin' : user.token } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(headers ? { headers } : {}),
    });
    return { status: res.status, body: res.body };
  };
  return {
    call,
    async setPin(user, pin = PIN) {
      const res = await call(user, 'POST', '/pin', { pin });
      expect(res.status, JSON.stringify(res.body)).toBe(204);
    },
    topUp: (user, amountMinor, currency = 'EUR', card = 'tok_visa') =>
      call(user, 'POST', '/topups', { amountMinor, currency, card, idempotencyKey: randomUUID() }),
    transfer: (from, to, amountMinor, extra = {}) =>
      call(from, 'POST', '/transfers', {
        to: to.id,
        amountMinor,
        currency: 'EUR',
        pin: PIN,
        idempotencyKey: randomUUID(),
        ...extra,
      }),
    async balance(user, currency = 'EUR') {
      const res = await call(user, 'GET', '/balance');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.balances.find((b: any) => b.currency === currency)?.balanceMinor ?? 0;
    },
    async verify() {
      const res = await call('admin', 'POST', '/admin/verify');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body;
    },
    async totals() {
      return (await call('admin', 'GET', '/admin/reports/balances')).body.currencies;
    },
    async expectLedgerWhole() {
      const report = await this.verify();
      expect(report.problems).toEqual([]);
      expect(report.ok).toBe(true);
      for (const [currency, totals] of Object.entries(await this.totals())) expect(totals.total, currency).toBe(0);
    },
  };
}

export { openDirect } from './test-database.js';

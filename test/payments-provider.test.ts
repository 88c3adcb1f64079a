/**
 * Payments and the card provider: a host killed (-9) between the ledger write and the provider's
 * answer is reconciled so that ledger and provider agree, exactly once; provider callbacks are
 * refused when forged, stale or replayed.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnHost, type ChildHost } from './support/child-host.js';
import { eventually } from './support/eventually.js';
import { httpJson } from './support/e2e.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import {
  PAYMENTS_MANIFEST,
  openDirect,
  paymentsApi,
  startPaymentsHost,
  type PaymentsApi,
} from './support/payments-helpers.js';

const ADMIN = `admin-${randomUUID()}`;

describe('payments: a crash between the ledger and the provider', () => {
  const children: ChildHost[] = [];
  let database: TestDatabase;
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function boot(provider: Record<string, number>): Promise<ChildHost> {
    const host = await spawnHost({
      config: {
        database: { url: database.url, schema: database.schema },
        auth: { adminToken: ADMIN },
        plugins: { enabled: [{ path: PAYMENTS_MANIFEST, settings: { provider } }] },
      },
      timeoutMs: 45_000,
    });
    children.push(host);
    return host;
  }
  const admin = (host: ChildHost, method: string, path: string, body?: unknown) =>
    httpJson(host.url, method, `/plugins/payments${path}`, { token: ADMIN, body });

  async function userOn(host: ChildHost) {
    const handle = `payer${Date.now()}${Math.floor(Math.random() * 1e4)}`;
    const created = await httpJson(host.url, 'POST', '/v1/admin/users', {
      token: ADMIN,
      body: { handle, displayName: handle, password: 'a-long-password' },
    });
    const login = await httpJson(host.url, 'POST', '/v1/auth/login', { body: { handle, password: 'a-long-password' } });
    return { id: created.body.id as string, token: login.body.token as string };
  }

  /**
   * The simulated provider's book (its table in the payments plugin's database), read directly:
   * only once the host is gone (on SQLite it holds the database exclusively while it runs).
   */
  async function providerBook(): Promise<{ kind: string; status: string; amount: number }[]> {
    const db = openDirect(database);
    try {
      return (await db('p_payments__sim_provider').select('kind', 'status', 'amount')).map((r: any) => ({
        ...r,
        amount: Number(r.amount),
      }));
    } finally {
      await db.destroy();
    }
  }

  /**
   * Starts a top-up, waits until the ledger holds it as pending, and kills the host with SIGKILL
   * inside the provider's latency window: with `latencyMs` before the provider has charged, with
   * `latencyAfterMs` once it has charged (its book says so) but before it answered.
   */
  async function killDuringTopUp(provider: Record<string, number>, amountMinor: number) {
    const host = await boot(provider);
    const user = await userOn(host);
    const startedAt = Date.now();
    // The host is killed while this top-up waits on the provider, so its request fails by design; the test reads the outcome from the ledger and the provider's book.
    void httpJson(host.url, 'POST', '/plugins/payments/topups', {
      token: user.token,
      body: { amountMinor, currency: 'EUR', card: 'tok_visa', idempotencyKey: randomUUID() },
    }).catch(() => null);
    await eventually(
      async () =>
        (await admin(host, 'GET', '/admin/reports/volume')).body.providerOperations.some(
          (o: any) => o.status === 'pending',
        ),
      { what: 'the top-up became pending', timeoutMs: 20_000 },
    );
    if (provider.latencyAfterMs) {
      // The provider has written its book (the host audits that write) and now waits to answer.
      await eventually(
        async () =>
          (
            await httpJson(host.url, 'GET', '/v1/admin/audit?pluginId=payments&limit=1000', { token: ADMIN })
          ).body.entries.some(
            (e: any) =>
              e.capability === 'database' &&
              e.action === 'insert' &&
              e.target === 'sim_provider' &&
              Date.parse(e.at) >= startedAt,
          ),
        { what: 'the provider charged the card', timeoutMs: 20_000 },
      );
    }
    await host.kill('SIGKILL');
    // Killed inside the window: the provider has charged only if it was meant to have.
    expect((await providerBook()).filter((r) => r.amount === amountMinor)).toHaveLength(
      provider.latencyAfterMs ? 1 : 0,
    );
    return user;
  }

  async function settleAndCheck(
    user: { id: string; token: string },
    expected: { booked: number; abandoned: number; balance: number },
  ) {
    const host = await boot({});
    const reconcile = await admin(host, 'POST', '/admin/reconcile', { olderThanMs: 0 });
    expect(reconcile.body).toMatchObject({ checked: 1, booked: expected.booked, abandoned: expected.abandoned });
    // Exactly once: a second pass finds nothing to do.
    expect((await admin(host, 'POST', '/admin/reconcile', { olderThanMs: 0 })).body).toMatchObject({ checked: 0 });
    const balance = await httpJson(host.url, 'GET', '/plugins/payments/balance', { token: user.token });
    expect(balance.body.balances.find((b: any) => b.currency === 'EUR')?.balanceMinor ?? 0).toBe(expected.balance);
    const agreement = (await admin(host, 'GET', '/admin/reports/reconciliation')).body;
    expect(agreement.mismatches).toEqual([]);
    expect(agreement.pending).toEqual([]);
    expect((await admin(host, 'POST', '/admin/verify')).body.problems).toEqual([]);
  }

  it('abandons (and cancels at the provider) a charge the provider never made', { timeout: 90_000 }, async () => {
    database = await createTestDatabase();
    const user = await killDuringTopUp({ latencyMs: 30_000 }, 4_200);
    await settleAndCheck(user, { booked: 0, abandoned: 1, balance: 0 });
  });

  it('books, once, a charge the provider made but the host never heard back about', { timeout: 90_000 }, async () => {
    const user = await killDuringTopUp({ latencyAfterMs: 30_000 }, 3_300);
    await settleAndCheck(user, { booked: 1, abandoned: 0, balance: 3_300 });
  });
});

describe('payments: provider callbacks', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let user: TestUser;
  beforeAll(async () => {
    // The provider cannot be reached: top-ups stay pending until its callback arrives.
    host = await startPaymentsHost({ settings: { provider: { failureRate: 1 } } });
    api = paymentsApi(host);
    user = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function pendingTopUp(amountMinor: number): Promise<string> {
    const res = await api.topUp(user, amountMinor);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('provider_unavailable');
    const volume = (await api.call('admin', 'GET', '/admin/reports/volume')).body;
    expect(volume.providerOperations.find((o: any) => o.status === 'pending')).toBeTruthy();
    const ops = (await api.call('admin', 'GET', '/admin/reports/reconciliation')).body.pending as string[];
    return ops[0]!;
  }
  const deliver = (rawBody: string, signature?: string) =>
    host.http('POST', '/plugins/payments/provider/callbacks', {
      rawBody,
      headers: { 'content-type': 'application/json', ...(signature ? { 'x-provider-signature': signature } : {}) },
    });

  it('books a signed callback once, and refuses it replayed', async () => {
    const operationId = await pendingTopUp(1_500);
    const signed = (await api.call('admin', 'POST', '/admin/simulator/callbacks', { operationId, status: 'succeeded' }))
      .body;
    const first = await deliver(signed.rawBody, signed.signature);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ duplicate: false, operation: { operationId, status: 'succeeded' } });
    const replayed = await deliver(signed.rawBody, signed.signature);
    expect(replayed.body).toMatchObject({ duplicate: true });
    expect(await api.balance(user)).toBe(1_500);
    expect((await api.verify()).problems).toEqual([]);
  });

  it('refuses forged, altered and stale callbacks, and books nothing', async () => {
    const operationId = await pendingTopUp(2_000);
    const signed = (await api.call('admin', 'POST', '/admin/simulator/callbacks', { operationId, status: 'succeeded' }))
      .body;
    const t = Number(/t=(\d+)/.exec(signed.signature)![1]);
    const attempts = [
      deliver(signed.rawBody),
      deliver(signed.rawBody, `t=${t},v1=${'0'.repeat(64)}`),
      deliver(signed.rawBody.replace('succeeded', 'succeeded '), signed.signature),
      deliver(signed.rawBody, signed.signature.replace(/^t=\d+/, `t=${t - 3600}`)),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_signature');
    }
    expect(await api.balance(user)).toBe(1_500);
  });

  it('reverses, once, a payout the provider never made', async () => {
    await api.setPin(user);
    const res = await api.call(user, 'POST', '/payouts', {
      amountMinor: 500,
      currency: 'EUR',
      destination: 'bank_ok',
      pin: '4711',
      idempotencyKey: randomUUID(),
    });
    expect(res.status).toBe(503);
    expect(await api.balance(user)).toBe(1_000);
    // Pending now: this payout (the provider never made it) and the 2,000 top-up of the test
    // before, which the provider did settle (its callbacks were refused, not its charge).
    const settled = (await api.call('admin', 'POST', '/admin/reconcile', { olderThanMs: 0 })).body;
    expect(settled).toMatchObject({ checked: 2, booked: 1, abandoned: 1 });
    expect(await api.balance(user)).toBe(1_500 + 2_000);
    expect((await api.call('admin', 'POST', '/admin/reconcile', { olderThanMs: 0 })).body.checked).toBe(0);
    expect(await api.balance(user)).toBe(3_500);
    const report = (await api.call('admin', 'GET', '/admin/reports/reconciliation')).body;
    expect(report.mismatches).toEqual([]);
    expect((await api.verify()).problems).toEqual([]);
  });
});

describe('payments: payouts', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let user: TestUser;
  beforeAll(async () => {
    host = await startPaymentsHost();
    api = paymentsApi(host);
    user = await host.createUser();
    await api.setPin(user);
    await api.topUp(user, 10_000);
  });
  afterAll(async () => {
    await host?.stop();
  });
  const payout = (amountMinor: number, destination = 'bank_ok', extra: Record<string, unknown> = {}) =>
    api.call(user, 'POST', '/payouts', {
      amountMinor,
      currency: 'EUR',
      destination,
      pin: '4711',
      idempotencyKey: randomUUID(),
      ...extra,
    });

  it('pays out through the provider, once per key', async () => {
    const key = randomUUID();
    const first = await payout(2_500, 'bank_ok', { idempotencyKey: key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ kind: 'payout', status: 'succeeded', amountMinor: 2_500 });
    expect((await payout(2_500, 'bank_ok', { idempotencyKey: key })).body.operationId).toBe(first.body.operationId);
    expect(await api.balance(user)).toBe(7_500);
    expect((await api.totals()).EUR).toMatchObject({ users: 7_500, providers: -7_500, total: 0 });
  });

  it('puts a declined payout back with a correcting transaction', async () => {
    const declined = await payout(1_000, 'tok_declined');
    expect(declined.status).toBe(402);
    expect(declined.body.error.code).toBe('card_declined');
    expect(await api.balance(user)).toBe(7_500);
    expect((await api.verify()).problems).toEqual([]);
  });

  it('refuses to pay out more than the balance, or without the PIN', async () => {
    expect((await payout(100_000)).body.error.code).toBe('insufficient_funds');
    expect((await payout(100, 'bank_ok', { pin: '0000' })).body.error.code).toBe('pin_invalid');
    expect(await api.balance(user)).toBe(7_500);
  });
});

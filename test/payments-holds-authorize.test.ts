/**
 * Payments: authorizing a hold over HTTP. The money moves from the payer onto the hold with a PIN
 * and once per idempotency key, only the two parties can see it, and a hold without the right PIN,
 * key, payee, funds or expiry is refused and moves nothing. After every test the ledger verifies
 * and every currency sums to zero.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { HOLD_SETTINGS, holdsCalls } from './support/holds-helpers.js';

describe('payments: authorizing holds', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let shop: TestUser;
  let mallory: TestUser;
  const { hold, getHold, person } = holdsCalls(() => ({ host, api }));

  beforeAll(async () => {
    host = await startPaymentsHost({ settings: HOLD_SETTINGS });
    api = paymentsApi(host);
    [alice, shop, mallory] = await Promise.all([person(), person(), person()]);
    expect((await api.topUp(alice, 500_000)).status).toBe(201);
  });
  afterAll(async () => {
    await host?.stop();
  });

  // Atomicity: whatever a test did (and whatever it was refused), the ledger is whole.
  afterEach(() => api.expectLedgerWhole());

  it('authorizes a hold: the money moves from the payer onto the hold, with a PIN and once per key', async () => {
    const before = { alice: await api.balance(alice), held: (await api.totals()).EUR!.holds };
    const key = randomUUID();
    const res = await hold(alice, shop, 3_000, {
      idempotencyKey: key,
      description: 'hotel deposit',
      expiresInMs: 3_600_000,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      holdId: expect.any(String),
      status: 'authorized',
      payer: alice.id,
      payee: shop.id,
      currency: 'EUR',
      amountMinor: 3_000,
      capturedMinor: 0,
      releasedMinor: 0,
      refundedMinor: 0,
      remainingMinor: 3_000,
      description: 'hotel deposit',
      resolvedAt: null,
    });
    expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)).toBe(3_600_000);
    expect(await api.balance(alice)).toBe(before.alice - 3_000);
    expect(await api.balance(shop)).toBe(0);
    expect((await api.totals()).EUR!.holds).toBe(before.held + 3_000);

    // The same key and request: the original hold; another request under the key: refused.
    const again = await hold(alice, shop, 3_000, {
      idempotencyKey: key,
      description: 'hotel deposit',
      expiresInMs: 3_600_000,
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    const other = await hold(alice, shop, 3_001, {
      idempotencyKey: key,
      description: 'hotel deposit',
      expiresInMs: 3_600_000,
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_conflict');
    expect(await api.balance(alice)).toBe(before.alice - 3_000);

    // Both parties see it; nobody else does.
    expect(await getHold(shop, res.body.holdId)).toMatchObject({
      holdId: res.body.holdId,
      status: 'authorized',
      captures: [],
      refunds: [],
    });
    expect((await api.call(mallory, 'GET', `/holds/${res.body.holdId}`)).status).toBe(404);
    expect((await api.call(mallory, 'GET', `/holds/${randomUUID()}`)).body.error.code).toBe('not_found');
  });

  it('refuses a hold without the right PIN, key, payee, funds or expiry, and moves nothing', async () => {
    const before = await api.balance(alice);
    const wrongPin = await hold(alice, shop, 100, { pin: '0000' });
    expect(wrongPin.status).toBe(401);
    expect(wrongPin.body.error.code).toBe('pin_invalid');

    const cases: [Record<string, unknown>, number, string][] = [
      [{ idempotencyKey: undefined }, 400, 'invalid_payment_request'],
      [{ payee: alice.id }, 400, 'self_transfer'],
      [{ payee: randomUUID() }, 404, 'recipient_not_found'],
      [{ amountMinor: 0 }, 400, 'invalid_amount'],
      [{ amountMinor: 1.5 }, 400, 'invalid_amount'],
      [{ currency: 'XXX' }, 400, 'unknown_currency'],
      [{ currency: 'USD' }, 409, 'insufficient_funds'],
      [{ expiresInMs: 999 }, 400, 'invalid_payment_request'],
      [{ expiresInMs: 86_400_001 }, 400, 'invalid_payment_request'],
      [{ description: 'x'.repeat(201) }, 400, 'invalid_payment_request'],
    ];
    for (const [extra, status, code] of cases) {
      const res = await hold(alice, shop, 100, extra);
      expect([res.status, res.body.error?.code], JSON.stringify(extra)).toEqual([status, code]);
    }
    const noPinUser = await host.createUser();
    expect((await hold(noPinUser, shop, 100)).body.error.code).toBe('pin_required');
    expect(await api.balance(alice)).toBe(before);
  });
});

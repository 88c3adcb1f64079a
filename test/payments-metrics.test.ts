/**
 * Payments on /metrics through ctx.metrics: transfers and holds by result, a refusal by its
 * code; and nothing counted (payments still works) when the operator refuses `metrics`.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS_TOKEN, sample, scrape } from './support/metrics-helpers.js';
import { PIN, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import type { TestHost, TestUser } from './support/start-test-host.js';

const TRANSFERS = 'switchboard_plugin_payments_transfers_total';
const HOLDS = 'switchboard_plugin_payments_holds_total';

describe('payments metrics', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    host = await startPaymentsHost({
      settings: { limits: { perTransferMinor: 50_000, dailyMinor: 80_000 } },
      config: { metrics: { token: METRICS_TOKEN } },
    });
    api = paymentsApi(host);
    [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
    await api.setPin(alice);
    expect((await api.topUp(alice, 10_000)).status).toBe(201);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('counts transfers by result, a refusal by its code, a replay apart', async () => {
    const key = randomUUID();
    expect((await api.transfer(alice, bob, 1_000, { idempotencyKey: key })).status).toBe(201);
    expect((await api.transfer(alice, bob, 1_000, { idempotencyKey: key })).status).toBe(200);
    const poor = await api.transfer(alice, bob, 20_000);
    expect(poor.body.error.code).toBe('insufficient_funds');
    const big = await api.transfer(alice, bob, 60_000);
    expect(big.body.error.code).toBe('limit_exceeded');
    expect((await api.transfer(alice, bob, 100, { pin: '0000' })).body.error.code).toBe('pin_invalid');

    const m = await scrape(host);
    expect(sample(m, TRANSFERS, { result: 'succeeded', code: 'none' })).toBe(1);
    expect(sample(m, TRANSFERS, { result: 'replayed', code: 'none' })).toBe(1);
    expect(sample(m, TRANSFERS, { result: 'refused', code: 'insufficient_funds' })).toBe(1);
    expect(sample(m, TRANSFERS, { result: 'refused', code: 'limit_exceeded' })).toBe(1);
    expect(sample(m, TRANSFERS, { result: 'refused', code: 'pin_invalid' })).toBe(1);
    expect(sample(m, TRANSFERS, { result: 'failed', code: 'error' })).toBeUndefined();
  });

  it('counts hold operations by result', async () => {
    const hold = await api.call(alice, 'POST', '/holds', {
      payee: bob.id,
      amountMinor: 500,
      currency: 'EUR',
      pin: PIN,
      idempotencyKey: randomUUID(),
    });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    const notPayee = await api.call(alice, 'POST', `/holds/${hold.body.holdId}/capture`, {
      amountMinor: 100,
      idempotencyKey: randomUUID(),
    });
    // Only the payee captures.
    expect(notPayee.body.error.code, JSON.stringify(notPayee.body)).toBe('not_permitted');
    const m = await scrape(host);
    expect(sample(m, HOLDS, { operation: 'authorize', result: 'succeeded', code: 'none' })).toBe(1);
    expect(sample(m, HOLDS, { operation: 'capture', result: 'refused', code: 'not_permitted' })).toBe(1);
  });

  it('works the same, counting nothing, when the operator refuses the metrics permission', async () => {
    const plain = await startPaymentsHost({
      grants: { metrics: false },
      config: { metrics: { token: METRICS_TOKEN } },
    });
    try {
      const p = paymentsApi(plain);
      const [a, b] = await Promise.all([plain.createUser(), plain.createUser()]);
      await p.setPin(a);
      expect((await p.topUp(a, 1_000)).status).toBe(201);
      expect((await p.transfer(a, b, 100)).status).toBe(201);
      expect((await scrape(plain)).text).not.toContain('switchboard_plugin_payments_');
    } finally {
      await plain.stop();
    }
  });
});

/**
 * The card provider is the operator's choice, by name, in payments' settings (docs/payments.md,
 * "Cards and the provider"): "simulated" is the one shipped and the default; a name payments does
 * not know keeps the plugin from starting, pointing at the setting, rather than silently using
 * the simulator.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PAYMENTS_MANIFEST, paymentsApi, startPaymentsHost } from './support/payments-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';

describe('payments: the provider chosen by config', () => {
  let host: TestHost | null = null;
  afterEach(async () => {
    await host?.stop();
    host = null;
  });

  it('"simulated", named or by default, serves top-ups', async () => {
    host = await startPaymentsHost({ settings: { provider: { name: 'simulated' } } });
    const api = paymentsApi(host);
    const ada = await host.createUser();
    const topup = await api.call(ada, 'POST', '/topups', {
      amountMinor: 500,
      currency: 'EUR',
      card: 'tok_visa',
      idempotencyKey: 'first',
    });
    expect(topup.status, JSON.stringify(topup.body)).toBe(201);
    expect(await api.balance(ada)).toBe(500);
  });

  it('an unknown provider name keeps payments from starting, with plugin_settings_invalid at /provider/name', async () => {
    host = await startTestHost({
      config: { plugins: { enabled: [{ path: PAYMENTS_MANIFEST, settings: { provider: { name: 'stripe' } } }] } },
    });
    const plugin = (await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins.find(
      (p: { id: string }) => p.id === 'payments',
    );
    expect(plugin.status).toBe('failed');
    expect(plugin.error.code).toBe('plugin_settings_invalid');
    expect(plugin.error.details.map((d: { path: string }) => d.path)).toContain('/provider/name');
  });
});

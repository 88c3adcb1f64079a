/**
 * Payments: hold expiry. The scheduler expires a hold and gives back what is left exactly once,
 * even when expiry runs several times at once and races captures, and a hold past its expiry takes
 * no capture even before the job has run. After every test the ledger verifies and every currency
 * sums to zero.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { sleep } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { HOLD_SETTINGS, holdsCalls } from './support/holds-helpers.js';

describe('payments: hold expiry', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let shop: TestUser;
  const { capture, voidHold, expireNow, openHold, waitForStatus, person } = holdsCalls(() => ({ host, api }));

  beforeAll(async () => {
    host = await startPaymentsHost({ settings: HOLD_SETTINGS });
    api = paymentsApi(host);
    [alice, shop] = await Promise.all([person(), person()]);
    expect((await api.topUp(alice, 500_000)).status).toBe(201);
  });
  afterAll(async () => {
    await host?.stop();
  });

  // Atomicity: whatever a test did (and whatever it was refused), the ledger is whole.
  afterEach(() => api.expectLedgerWhole());

  it('expires a hold by the scheduler: what is left goes back once, and nothing can be captured after', async () => {
    const before = { alice: await api.balance(alice), shop: await api.balance(shop) };
    const h = await openHold(alice, shop, 800, { expiresInMs: 1_000 });
    expect((await capture(shop, h.holdId, 200)).status).toBe(201);
    const expired = await waitForStatus(alice, h.holdId, 'expired');
    expect(expired).toMatchObject({
      capturedMinor: 200,
      releasedMinor: 600,
      remainingMinor: 0,
      resolvedAt: expect.any(String),
    });
    expect(Date.parse(expired.resolvedAt)).toBeGreaterThanOrEqual(Date.parse(h.expiresAt));
    expect(await api.balance(alice)).toBe(before.alice - 200);
    expect(await api.balance(shop)).toBe(before.shop + 200);
    // Running the expiry again changes nothing.
    expect((await expireNow(h.holdId)).body).toMatchObject({
      expired: false,
      hold: { status: 'expired', releasedMinor: 600 },
    });
    expect((await expireNow()).body).toMatchObject({ expired: 0 });
    const late = await capture(shop, h.holdId, 100);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'invalid_state', details: { status: 'expired' } });
    expect((await voidHold(alice, h.holdId)).body.error.code).toBe('invalid_state');
    expect(await api.balance(alice)).toBe(before.alice - 200);
  });

  it('refuses a capture once the hold is past its expiry, even before the job has run', async () => {
    const before = await api.balance(alice);
    const h = await openHold(alice, shop, 500, { expiresInMs: 1_000 });
    // No event marks the expiry before the job runs: wait for the clock to pass it.
    await eventually(() => Date.now() > Date.parse(h.expiresAt) + 20, { what: 'the hold to be past its expiresAt' });
    const late = await capture(shop, h.holdId, 500);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('invalid_state');
    await waitForStatus(alice, h.holdId, 'expired');
    expect(await api.balance(alice)).toBe(before);
  });

  it('releases a hold exactly once when the expiry runs several times at once and races captures', async () => {
    const at = (ms: number) => sleep(Math.max(0, ms - Date.now()));
    const mixed = { capturedBefore: 0, refusedAfter: 0 };
    for (let round = 0; round < 4; round++) {
      const before = { alice: await api.balance(alice), shop: await api.balance(shop) };
      const h = await openHold(alice, shop, 1_000, { expiresInMs: 1_000 });
      const due = Date.parse(h.expiresAt);
      // Captures and expiry runs (one hold, or the sweep of all) spread over the moment the hold
      // expires; the scheduler's own job races them too.
      const racers = Array.from({ length: 8 }, (_, i) => {
        const offset = (i - 4) * 15 + round * 4;
        return {
          capture: at(due + offset).then(() => capture(shop, h.holdId, 100)),
          expiry: at(due + offset + 7).then(() => expireNow(i % 3 === 0 ? undefined : h.holdId)),
        };
      });
      const captures = await Promise.all(racers.map((r) => r.capture));
      const expiries = await Promise.all(racers.map((r) => r.expiry));
      for (const r of expiries) expect(r.status, JSON.stringify(r.body)).toBe(200);
      for (const r of captures) expect([201, 409], JSON.stringify(r.body)).toContain(r.status);
      for (const r of captures.filter((c) => c.status === 409)) expect(r.body.error.code).toBe('invalid_state');
      const won = captures.filter((c) => c.status === 201);
      const captured = won.reduce((sum, c) => sum + c.body.amountMinor, 0);
      mixed.capturedBefore += won.length;
      mixed.refusedAfter += captures.length - won.length;

      const done = await waitForStatus(alice, h.holdId, 'expired');
      expect(done.capturedMinor).toBe(captured);
      expect(done.releasedMinor).toBe(1_000 - captured);
      expect(done.captures).toHaveLength(won.length);
      // Whichever run expired it, only one released anything.
      const released = expiries.filter((r) =>
        r.body.hold !== undefined ? r.body.expired === true : r.body.expired > 0,
      );
      expect(released.length).toBeLessThanOrEqual(1);
      expect(await api.balance(alice)).toBe(before.alice - captured);
      expect(await api.balance(shop)).toBe(before.shop + captured);
      expect((await api.verify()).problems).toEqual([]);
    }
    // The race really happened: captures before the expiry went through, those after were refused.
    expect(mixed.capturedBefore).toBeGreaterThan(0);
    expect(mixed.refusedAfter).toBeGreaterThan(0);
  });
});

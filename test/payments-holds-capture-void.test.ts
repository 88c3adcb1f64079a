/**
 * Payments: capturing and voiding holds over HTTP. Partial and final captures never pass the
 * hold (not even when concurrent), a final capture gives the rest back, a void returns what is left
 * once, and a resolved hold takes no more. After every test the ledger verifies and every
 * currency sums to zero.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { HOLD_SETTINGS, holdsCalls } from './support/holds-helpers.js';

describe('payments: capturing and voiding holds', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let shop: TestUser;
  let mallory: TestUser;
  const { capture, voidHold, getHold, openHold, person } = holdsCalls(() => ({ host, api }));

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

  it('never captures more than the hold: partial captures, then a final one, then nothing more', async () => {
    const before = { alice: await api.balance(alice), shop: await api.balance(shop) };
    const h = await openHold(alice, shop, 1_000);

    // Only the payee captures; anybody else is not told the hold exists.
    expect((await capture(alice, h.holdId, 100)).body.error.code).toBe('not_permitted');
    expect((await capture(mallory, h.holdId, 100)).status).toBe(404);
    const tooMuch = await capture(shop, h.holdId, 1_001);
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.body.error).toMatchObject({ code: 'capture_exceeds_hold', details: { remainingMinor: 1_000 } });
    expect((await capture(shop, h.holdId, 100, { currency: 'USD' })).body.error.code).toBe('currency_mismatch');

    const key = randomUUID();
    const first = await capture(shop, h.holdId, 300, { idempotencyKey: key, currency: 'EUR' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      holdId: h.holdId,
      amountMinor: 300,
      currency: 'EUR',
      final: false,
      hold: { status: 'partially_captured', capturedMinor: 300, remainingMinor: 700 },
    });
    const replay = await capture(shop, h.holdId, 300, { idempotencyKey: key, currency: 'EUR' });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect((await capture(shop, h.holdId, 301, { idempotencyKey: key })).body.error.code).toBe('idempotency_conflict');

    expect((await capture(shop, h.holdId, 300)).body.hold).toMatchObject({ capturedMinor: 600, remainingMinor: 400 });
    expect((await capture(shop, h.holdId, 401)).body.error).toMatchObject({
      code: 'capture_exceeds_hold',
      details: { remainingMinor: 400 },
    });
    const last = await capture(shop, h.holdId, 400);
    expect(last.status).toBe(201);
    expect(last.body.hold).toMatchObject({
      status: 'captured',
      capturedMinor: 1_000,
      releasedMinor: 0,
      remainingMinor: 0,
      resolvedAt: expect.any(String),
    });

    // Resolved: a further capture or a void is refused, and nothing moves.
    const again = await capture(shop, h.holdId, 1);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'invalid_state', details: { status: 'captured' } });
    expect((await voidHold(alice, h.holdId)).body.error.code).toBe('invalid_state');
    expect(await api.balance(alice)).toBe(before.alice - 1_000);
    expect(await api.balance(shop)).toBe(before.shop + 1_000);
    const seen = await getHold(alice, h.holdId);
    expect(seen.captures.map((c: any) => c.amountMinor)).toEqual([300, 300, 400]);
  });

  it('a final capture takes part and gives the rest back at once', async () => {
    const before = { alice: await api.balance(alice), shop: await api.balance(shop) };
    const h = await openHold(alice, shop, 1_000);
    const res = await capture(shop, h.holdId, 250, { final: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      amountMinor: 250,
      releasedMinor: 750,
      final: true,
      hold: { status: 'captured', capturedMinor: 250, releasedMinor: 750, remainingMinor: 0 },
    });
    expect(await api.balance(alice)).toBe(before.alice - 250);
    expect(await api.balance(shop)).toBe(before.shop + 250);
    expect((await capture(shop, h.holdId, 1)).body.error.code).toBe('invalid_state');
    expect((await voidHold(shop, h.holdId)).body.error.code).toBe('invalid_state');
  });

  it('voids a hold: the rest goes back to the payer, once', async () => {
    const before = { alice: await api.balance(alice), shop: await api.balance(shop) };
    const h = await openHold(alice, shop, 1_000);
    await capture(shop, h.holdId, 400);
    expect((await voidHold(mallory, h.holdId)).status).toBe(404);
    const key = randomUUID();
    const voided = await voidHold(alice, h.holdId, { idempotencyKey: key });
    expect(voided.status, JSON.stringify(voided.body)).toBe(200);
    expect(voided.body).toMatchObject({
      status: 'voided',
      capturedMinor: 400,
      releasedMinor: 600,
      remainingMinor: 0,
      resolvedAt: expect.any(String),
    });
    expect(await voidHold(alice, h.holdId, { idempotencyKey: key })).toEqual(voided);
    const twice = await voidHold(alice, h.holdId);
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'invalid_state', details: { status: 'voided' } });
    expect((await capture(shop, h.holdId, 1)).body.error.code).toBe('invalid_state');
    expect(await api.balance(alice)).toBe(before.alice - 400);
    expect(await api.balance(shop)).toBe(before.shop + 400);

    // The payee may void too.
    const other = await openHold(alice, shop, 500);
    expect((await voidHold(shop, other.holdId)).body).toMatchObject({ status: 'voided', releasedMinor: 500 });
    expect(await api.balance(alice)).toBe(before.alice - 400);
  });

  it('never lets concurrent captures pass the hold', async () => {
    const before = await api.balance(shop);
    const h = await openHold(alice, shop, 1_000);
    const results = await Promise.all(Array.from({ length: 10 }, () => capture(shop, h.holdId, 150)));
    const ok = results.filter((r) => r.status === 201);
    expect(ok).toHaveLength(6);
    for (const r of results.filter((x) => x.status !== 201))
      expect(r.body.error).toMatchObject({ code: 'capture_exceeds_hold', details: { remainingMinor: 100 } });
    expect(await getHold(shop, h.holdId)).toMatchObject({
      status: 'partially_captured',
      capturedMinor: 900,
      remainingMinor: 100,
    });
    expect(await api.balance(shop)).toBe(before + 900);
    expect((await voidHold(alice, h.holdId)).body).toMatchObject({ status: 'voided', releasedMinor: 100 });
  });
});

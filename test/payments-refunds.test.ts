/**
 * Payments: refunds of transfers and of captured holds over HTTP: partial refunds never pass what
 * was paid (not even when concurrent), a key refunds once, and a refund never takes the payee below
 * zero. After every test the ledger verifies and every currency sums to zero.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { HOLD_SETTINGS, holdsCalls } from './support/holds-helpers.js';

describe('payments: refunds', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let shop: TestUser;
  let mallory: TestUser;
  const { capture, getHold, refundTransfer, refundHold, person, openHold } = holdsCalls(() => ({ host, api }));

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

  it('refunds a transfer partly, several times, never more than it moved, once per key', async () => {
    const bob = await person();
    const sent = await api.transfer(alice, bob, 1_000);
    expect(sent.status).toBe(201);
    const transferId = sent.body.transferId;
    const before = await api.balance(alice);

    const key = randomUUID();
    const first = await refundTransfer(bob, transferId, 300, { idempotencyKey: key, reason: 'broken' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({
      refundId: expect.any(String),
      source: 'transfer',
      sourceId: transferId,
      from: bob.id,
      to: alice.id,
      amountMinor: 300,
      currency: 'EUR',
      reason: 'broken',
      refundedMinor: 300,
      refundableMinor: 700,
    });
    const replay = await refundTransfer(bob, transferId, 300, { idempotencyKey: key, reason: 'broken' });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    const conflict = await refundTransfer(bob, transferId, 301, { idempotencyKey: key, reason: 'broken' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');

    expect((await refundTransfer(bob, transferId, 200)).body).toMatchObject({
      refundedMinor: 500,
      refundableMinor: 500,
    });
    const over = await refundTransfer(bob, transferId, 501);
    expect(over.status).toBe(409);
    expect(over.body.error).toMatchObject({ code: 'refund_exceeds_capture', details: { refundableMinor: 500 } });
    expect((await refundTransfer(bob, transferId, 100, { currency: 'USD' })).body.error.code).toBe('currency_mismatch');
    // Only the payee refunds; strangers do not learn of the transfer.
    expect((await refundTransfer(alice, transferId, 100)).body.error.code).toBe('not_permitted');
    expect((await refundTransfer(mallory, transferId, 100)).status).toBe(404);
    expect((await refundTransfer(bob, randomUUID(), 100)).status).toBe(404);

    expect((await refundTransfer(bob, transferId, 500)).body).toMatchObject({
      refundedMinor: 1_000,
      refundableMinor: 0,
    });
    expect((await refundTransfer(bob, transferId, 1)).body.error.code).toBe('refund_exceeds_capture');
    expect(await api.balance(alice)).toBe(before + 1_000);
    expect(await api.balance(bob)).toBe(0);
    const listed = await api.call(alice, 'GET', `/transfers/${transferId}/refunds`);
    expect(listed.body.refunds.map((r: any) => r.amountMinor)).toEqual([300, 200, 500]);
  });

  it('never takes the payee below zero for a refund', async () => {
    const [bob, carol] = await Promise.all([person(), person()]);
    const sent = await api.transfer(alice, bob, 500);
    expect((await api.transfer(bob, carol, 450)).status).toBe(201);
    const res = await refundTransfer(bob, sent.body.transferId, 100);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'insufficient_funds', details: { balanceMinor: 50 } });
    // Nothing was booked: the whole amount may still be refunded once the payee has the money.
    expect((await refundTransfer(bob, sent.body.transferId, 50)).body).toMatchObject({
      refundedMinor: 50,
      refundableMinor: 450,
    });
    expect(await api.balance(bob)).toBe(0);
  });

  it('refunds what a hold captured, and no more', async () => {
    const before = { alice: await api.balance(alice), shop: await api.balance(shop) };
    const h = await openHold(alice, shop, 1_000);
    expect((await refundHold(shop, h.holdId, 1)).body.error).toMatchObject({
      code: 'refund_exceeds_capture',
      details: { refundableMinor: 0 },
    });
    await capture(shop, h.holdId, 600);
    expect((await refundHold(alice, h.holdId, 100)).body.error.code).toBe('not_permitted');
    expect((await refundHold(mallory, h.holdId, 100)).status).toBe(404);
    expect((await refundHold(shop, h.holdId, 100, { currency: 'GBP' })).body.error.code).toBe('currency_mismatch');
    expect((await refundHold(shop, h.holdId, 601)).body.error).toMatchObject({
      code: 'refund_exceeds_capture',
      details: { refundableMinor: 600 },
    });
    expect((await refundHold(shop, h.holdId, 200)).body).toMatchObject({
      source: 'hold',
      sourceId: h.holdId,
      refundedMinor: 200,
      refundableMinor: 400,
    });
    // Capturing more (the hold is still open) makes more refundable.
    await capture(shop, h.holdId, 400);
    expect((await refundHold(shop, h.holdId, 800)).body).toMatchObject({ refundedMinor: 1_000, refundableMinor: 0 });
    expect((await refundHold(shop, h.holdId, 1)).body.error.code).toBe('refund_exceeds_capture');
    const seen = await getHold(alice, h.holdId);
    expect(seen).toMatchObject({ status: 'captured', capturedMinor: 1_000, refundedMinor: 1_000 });
    expect(seen.refunds.map((r: any) => r.amountMinor)).toEqual([200, 800]);
    expect(await api.balance(alice)).toBe(before.alice);
    expect(await api.balance(shop)).toBe(before.shop);
  });

  it('never lets concurrent refunds pass what was paid, and a key refunds once', async () => {
    // Bob has money of his own, so only the refund bound (not his balance) can stop the refunds.
    const bob = await person(5_000);
    const sent = await api.transfer(alice, bob, 1_000);
    const results = await Promise.all(Array.from({ length: 12 }, () => refundTransfer(bob, sent.body.transferId, 150)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(6);
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe('refund_exceeds_capture');
    expect(await api.balance(bob)).toBe(5_100);

    const key = randomUUID();
    const same = await Promise.all(
      Array.from({ length: 5 }, () => refundTransfer(bob, sent.body.transferId, 100, { idempotencyKey: key })),
    );
    expect(new Set(same.map((r) => r.body.refundId)).size).toBe(1);
    expect(same.filter((r) => r.status === 201)).toHaveLength(1);
    expect(await api.balance(bob)).toBe(5_000);

    const h = await openHold(alice, shop, 1_000);
    await capture(shop, h.holdId, 1_000);
    const shopBefore = await api.balance(shop);
    const onHold = await Promise.all(Array.from({ length: 12 }, () => refundHold(shop, h.holdId, 150)));
    expect(onHold.filter((r) => r.status === 201)).toHaveLength(6);
    for (const r of onHold.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe('refund_exceeds_capture');
    expect(await api.balance(shop)).toBe(shopBefore - 900);
    expect((await getHold(shop, h.holdId)).refundedMinor).toBe(900);
  });
});

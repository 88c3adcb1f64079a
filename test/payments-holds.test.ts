/**
 * Payments: holds (authorize, capture partly or fully, void, expire) and refunds (of transfers
 * and of captured holds), end to end over HTTP: bounds, idempotency, single resolution, expiry by
 * the scheduler exactly once even when it runs twice or races captures, and concurrent refunds
 * and captures that never pass their bound. After every test the ledger verifies and every
 * currency sums to zero.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { sleep } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { PIN, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';

type Res = { status: number; body: any };

describe('payments: holds and refunds', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let shop: TestUser;
  let mallory: TestUser;

  const hold = (
    payer: TestUser,
    payee: TestUser,
    amountMinor: number,
    extra: Record<string, unknown> = {},
  ): Promise<Res> =>
    api.call(payer, 'POST', '/holds', {
      payee: payee.id,
      amountMinor,
      currency: 'EUR',
      pin: PIN,
      idempotencyKey: randomUUID(),
      ...extra,
    });
  const capture = (
    user: TestUser,
    holdId: string,
    amountMinor: number,
    extra: Record<string, unknown> = {},
  ): Promise<Res> =>
    api.call(user, 'POST', `/holds/${holdId}/capture`, { amountMinor, idempotencyKey: randomUUID(), ...extra });
  const voidHold = (user: TestUser, holdId: string, extra: Record<string, unknown> = {}): Promise<Res> =>
    api.call(user, 'POST', `/holds/${holdId}/void`, { idempotencyKey: randomUUID(), ...extra });
  const getHold = async (user: TestUser, holdId: string) => {
    const res = await api.call(user, 'GET', `/holds/${holdId}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const refundTransfer = (
    user: TestUser,
    transferId: string,
    amountMinor: number,
    extra: Record<string, unknown> = {},
  ): Promise<Res> =>
    api.call(user, 'POST', `/transfers/${transferId}/refunds`, { amountMinor, idempotencyKey: randomUUID(), ...extra });
  const refundHold = (
    user: TestUser,
    holdId: string,
    amountMinor: number,
    extra: Record<string, unknown> = {},
  ): Promise<Res> =>
    api.call(user, 'POST', `/holds/${holdId}/refunds`, { amountMinor, idempotencyKey: randomUUID(), ...extra });
  const expireNow = (holdId?: string): Promise<Res> =>
    api.call('admin', 'POST', '/admin/holds/expire', holdId === undefined ? {} : { holdId });

  async function person(fundsMinor = 0): Promise<TestUser> {
    const user = await host.createUser();
    await api.setPin(user);
    if (fundsMinor > 0) expect((await api.topUp(user, fundsMinor)).status).toBe(201);
    return user;
  }

  async function openHold(payer: TestUser, payee: TestUser, amountMinor: number, extra: Record<string, unknown> = {}) {
    const res = await hold(payer, payee, amountMinor, extra);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  }

  async function waitForStatus(user: TestUser, holdId: string, status: string, timeoutMs = 15_000) {
    return eventually(
      async () => {
        const h = await getHold(user, holdId);
        return h.status === status && h;
      },
      { timeoutMs, intervalMs: 100, what: `hold ${holdId} to be ${status}` },
    );
  }

  beforeAll(async () => {
    host = await startPaymentsHost({ settings: { holds: { minExpiresInMs: 1_000, maxExpiresInMs: 86_400_000 } } });
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

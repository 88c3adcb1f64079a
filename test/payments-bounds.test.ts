/**
 * Payments: bounds on amounts and balances (checked before the provider charges anything), a
 * reconciliation that goes on past an operation it cannot settle, payouts under the per-transfer
 * and daily limits, the keys of declined top-ups, and replays of top-ups and payouts (issue 12).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { openDirect, PIN, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';

const MAX_AMOUNT = 10 ** 13;
const MAX_BALANCE = 10 ** 14;

describe('payments: amounts and balances stay bounded', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    host = await startPaymentsHost();
    api = paymentsApi(host);
    [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
    await api.setPin(bob);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const operations = async () =>
    (await api.call('admin', 'GET', '/admin/reports/reconciliation')).body.operations as number;

  it('refuses a top-up past the largest amount, and one that would take a wallet past its maximum, before the provider charges', async () => {
    for (const amountMinor of [Number.MAX_SAFE_INTEGER, MAX_AMOUNT + 1]) {
      const res = await api.topUp(alice, amountMinor);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_amount', details: { maxMinor: MAX_AMOUNT } });
    }
    expect(await operations()).toBe(0);
    for (let i = 0; i < MAX_BALANCE / MAX_AMOUNT; i++) expect((await api.topUp(alice, MAX_AMOUNT)).status).toBe(201);
    expect(await api.balance(alice)).toBe(MAX_BALANCE);
    const over = await api.topUp(alice, 1);
    expect(over.status, JSON.stringify(over.body)).toBe(409);
    expect(over.body.error).toMatchObject({
      code: 'balance_overflow',
      details: { maxBalanceMinor: MAX_BALANCE, balanceMinor: MAX_BALANCE },
    });
    // Nothing was recorded, so nothing was asked of the provider.
    expect(await operations()).toBe(MAX_BALANCE / MAX_AMOUNT);
    // Everyone else's top-ups in that currency go on.
    const other = await api.topUp(bob, 5_000);
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    expect(other.body.status).toBe('succeeded');
    // A transfer cannot fill the full wallet either.
    const transfer = await api.transfer(bob, alice, 100);
    expect(transfer.status).toBe(409);
    expect(transfer.body.error.code).toBe('balance_overflow');
    expect(await api.balance(bob)).toBe(5_000);
    await api.expectLedgerWhole();
  });

  it('counts concurrent top-ups one after the other against the maximum balance', async () => {
    const carol = await host.createUser();
    const results = await Promise.all(Array.from({ length: 12 }, () => api.topUp(carol, MAX_AMOUNT)));
    expect(results.filter((r) => r.status === 201)).toHaveLength(MAX_BALANCE / MAX_AMOUNT);
    for (const r of results.filter((x) => x.status !== 201)) expect(r.body.error.code).toBe('balance_overflow');
    expect(await api.balance(carol)).toBe(MAX_BALANCE);
    await api.expectLedgerWhole();
  });
});

describe('payments: reconciliation goes on past what it cannot settle', () => {
  let database: TestDatabase;
  let host: TestHost;
  let api: PaymentsApi;
  afterAll(async () => {
    await host?.stop();
    await database?.drop();
  });

  it('settles the other pending operations and reports the one it could not book', async () => {
    database = await createTestDatabase();
    // The provider cannot be reached: top-ups stay pending; the simulator then settles them at the provider.
    const settings = { provider: { failureRate: 1 } };
    host = await startPaymentsHost({ database, settings });
    api = paymentsApi(host);
    const [stuck, fine] = await Promise.all([host.createUser(), host.createUser()]);
    const pendingOps: string[] = [];
    for (const [user, amount] of [
      [stuck, 100],
      [fine, 200],
    ] as const) {
      const res = await api.topUp(user, amount);
      expect(res.status).toBe(503);
      const pending = (await api.call('admin', 'GET', '/admin/reports/reconciliation')).body.pending as string[];
      const id = pending.find((p) => !pendingOps.includes(p))!;
      pendingOps.push(id);
      expect(
        (await api.call('admin', 'POST', '/admin/simulator/callbacks', { operationId: id, status: 'succeeded' }))
          .status,
      ).toBe(200);
    }
    // Behind the host's back, the first user's wallet is made too full to take the top-up the provider made.
    await host.stopHostOnly();
    const db = openDirect(database);
    await db('p_payments__wallets')
      .where({ account: `user:${stuck.id}:EUR` })
      .update({ balance: Number.MAX_SAFE_INTEGER - 50 });
    await db.destroy();
    host = await startPaymentsHost({ database, settings });
    api = paymentsApi(host);
    const res = await api.call('admin', 'POST', '/admin/reconcile', { olderThanMs: 0 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      checked: 2,
      booked: 1,
      failed: 1,
      failures: [{ operationId: pendingOps[0], code: 'balance_overflow' }],
    });
    expect(await api.balance(fine)).toBe(200);
    expect((await api.call(fine, 'GET', `/operations/${pendingOps[1]}`)).body.status).toBe('succeeded');
    expect((await api.call(stuck, 'GET', `/operations/${pendingOps[0]}`)).body.status).toBe('pending');
  });
});

describe('payments: payouts, limits and keys', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let user: TestUser;
  let payee: TestUser;
  beforeAll(async () => {
    host = await startPaymentsHost({ settings: { limits: { perTransferMinor: 1_000, dailyMinor: 1_500 } } });
    api = paymentsApi(host);
    [user, payee] = await Promise.all([host.createUser(), host.createUser()]);
    await api.setPin(user);
    expect((await api.topUp(user, 10_000)).status).toBe(201);
  });
  afterAll(async () => {
    await host?.stop();
  });
  const payout = (amountMinor: number, extra: Record<string, unknown> = {}) =>
    api.call(user, 'POST', '/payouts', {
      amountMinor,
      currency: 'EUR',
      destination: 'bank_ok',
      pin: PIN,
      idempotencyKey: randomUUID(),
      ...extra,
    });

  it('applies the per-transfer and the daily limit to payouts, and counts them in the day', async () => {
    const big = await payout(1_001);
    expect(big.status).toBe(403);
    expect(big.body.error).toMatchObject({ code: 'limit_exceeded', details: { limitMinor: 1_000 } });
    const key = randomUUID();
    const first = await payout(1_000, { idempotencyKey: key });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // A replay answers 200 with the same operation.
    const replay = await payout(1_000, { idempotencyKey: key });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    const daily = await payout(600);
    expect(daily.status).toBe(403);
    expect(daily.body.error).toMatchObject({
      code: 'limit_exceeded',
      details: { limitMinor: 1_500, usedMinor: 1_000 },
    });
    // The payout counts for transfers too, and a transfer is refused by the same rule, in the same words.
    const transferRefused = (await api.transfer(user, payee, 600)).body.error;
    expect(transferRefused).toMatchObject({ code: 'limit_exceeded', details: { usedMinor: 1_000 } });
    expect(transferRefused.message).toBe(daily.body.error.message);
    // A payout the provider refuses gives its amount back to the day.
    expect((await payout(400, { destination: 'tok_declined' })).status).toBe(402);
    expect((await api.transfer(user, payee, 500)).status).toBe(201);
    expect(await api.balance(user)).toBe(10_000 - 1_000 - 500);
    await api.expectLedgerWhole();
  });

  it('lets a declined top-up be retried with the same key; a replay of a top-up answers 200', async () => {
    const key = randomUUID();
    const topUp = (card: string) =>
      api.call(user, 'POST', '/topups', { amountMinor: 700, currency: 'EUR', card, idempotencyKey: key });
    const declined = await topUp('tok_declined');
    expect(declined.status).toBe(402);
    // The same request again is a new attempt (the decline charged nothing), declined again.
    const again = await topUp('tok_declined');
    expect(again.status).toBe(402);
    expect(again.body.error.details.operationId).not.toBe(declined.body.error.details.operationId);
    const before = await api.balance(user);
    const good = await topUp('tok_visa');
    expect(good.status, JSON.stringify(good.body)).toBe(201);
    expect(good.body).toMatchObject({ status: 'succeeded', amountMinor: 700 });
    const replay = await topUp('tok_visa');
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(good.body);
    // Once it charged, the key is that top-up's: another request under it is a conflict.
    expect((await topUp('tok_declined')).body.error.code).toBe('idempotency_conflict');
    expect(await api.balance(user)).toBe(before + 700);
    await api.expectLedgerWhole();
  });

  it('lets a declined payout be retried with the same key', async () => {
    // Another person: the first has used up the day.
    await api.setPin(payee);
    expect((await api.topUp(payee, 1_000)).status).toBe(201);
    const key = randomUUID();
    const payoutOf = (destination: string) =>
      api.call(payee, 'POST', '/payouts', {
        amountMinor: 100,
        currency: 'EUR',
        destination,
        pin: PIN,
        idempotencyKey: key,
      });
    expect((await payoutOf('tok_declined')).status).toBe(402);
    const ok = await payoutOf('bank_ok');
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ kind: 'payout', status: 'succeeded' });
    expect(await api.balance(payee)).toBe(1_000 + 500 - 100);
    await api.expectLedgerWhole();
  });
});

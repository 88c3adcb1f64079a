/**
 * Payments: the rows a batch of transfers locks (daily usage, wallets) are made by the host the
 * first time it meets them, before any lock. A row the host believes made but the database lacks
 * (its insert rolled back with a failed batch, or an operator removed it) is made under the batch
 * all the same: the daily limit still counts every transfer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicalTableName } from '../host/plugins/database/table-names.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { openDirect, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { testDatabaseKind } from './support/test-database.js';

// Only PostgreSQL lets the test reach the host's tables while it runs (a SQLite host holds its file).
describe.skipIf(testDatabaseKind !== 'postgres')('payments: the rows a batch locks', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    host = await startPaymentsHost({ settings: { limits: { perTransferMinor: 50_000, dailyMinor: 60_000 } } });
    api = paymentsApi(host);
    [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
    await api.setPin(alice);
    expect((await api.topUp(alice, 200_000)).status).toBe(201);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('counts a transfer against the daily limit when the usage row the host knew of is gone', async () => {
    expect((await api.transfer(alice, bob, 10_000)).status).toBe(201);
    const db = openDirect(host.database);
    const usage = physicalTableName('payments', 'daily_usage');
    try {
      expect(await db(usage).where({ user_id: alice.id }).delete()).toBe(1);
      expect((await api.transfer(alice, bob, 40_000)).status).toBe(201);
      expect(await db(usage).where({ user_id: alice.id }).select('amount')).toEqual([{ amount: 40_000 }]);
    } finally {
      await db.destroy();
    }
    const over = await api.transfer(alice, bob, 30_000);
    expect(over.status).toBe(403);
    expect(over.body.error).toMatchObject({ code: 'limit_exceeded', details: { usedMinor: 40_000 } });
    await api.expectLedgerWhole();
  });

  it('makes a wallet the host knew of but the database lacks, alone or with the usage row', async () => {
    const [payer, broke, carol, dave] = await Promise.all([
      host.createUser(),
      host.createUser(),
      host.createUser(),
      host.createUser(),
    ]);
    await Promise.all([api.setPin(payer), api.setPin(broke)]);
    expect((await api.topUp(payer, 10_000)).status).toBe(201);
    // Refused for want of money, after the batch made the payee's wallet.
    expect((await api.transfer(broke, carol, 1_000)).body.error.code).toBe('insufficient_funds');
    expect((await api.transfer(broke, dave, 1_000)).body.error.code).toBe('insufficient_funds');

    const db = openDirect(host.database);
    const wallets = physicalTableName('payments', 'wallets');
    const usage = physicalTableName('payments', 'daily_usage');
    const balanceOf = async (user: TestUser) =>
      (
        await db(wallets)
          .where({ account: `user:${user.id}:EUR` })
          .first('balance')
      )?.balance;
    try {
      expect(
        await db(wallets)
          .where({ account: `user:${carol.id}:EUR` })
          .delete(),
      ).toBe(1);
      expect((await api.transfer(payer, carol, 1_000)).status).toBe(201);
      expect(await balanceOf(carol)).toBe(1_000);

      expect(
        await db(wallets)
          .where({ account: `user:${dave.id}:EUR` })
          .delete(),
      ).toBe(1);
      expect(await db(usage).where({ user_id: payer.id }).delete()).toBe(1);
      expect((await api.transfer(payer, dave, 2_000)).status).toBe(201);
      expect(await balanceOf(dave)).toBe(2_000);
      expect(await db(usage).where({ user_id: payer.id }).select('amount')).toEqual([{ amount: 2_000 }]);
    } finally {
      await db.destroy();
    }
    await api.expectLedgerWhole();
  });
});

/**
 * Atomicity: a failure injected in the middle of the ledger's database transaction (a trigger
 * that fails the insert of one transfer row, after its postings and balances were written) leaves
 * no trace of that transfer, and the other transfers of the same batch still go through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from './support/test-database.js';
import { openDirect, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';

const POISON = 666;

describe('payments: atomicity', () => {
  let database: TestDatabase;
  let host: TestHost;
  let api: PaymentsApi;
  let a: TestUser;
  let b: TestUser;
  let c: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    host = await startPaymentsHost({ database });
    api = paymentsApi(host);
    [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    for (const u of [a, b, c]) {
      await api.setPin(u);
      expect((await api.topUp(u, 10_000)).status).toBe(201);
    }
    // The first transfers create the wallets' rows the failing one will have touched.
    expect((await api.transfer(a, b, 1)).status).toBe(201);
    await host.stopHostOnly();
    const db = openDirect(database);
    try {
      if (testDatabaseKind === 'sqlite') {
        await db.raw(
          `CREATE TRIGGER inject_failure BEFORE INSERT ON p_payments__transfers WHEN NEW.amount = ${POISON} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`,
        );
      } else {
        await db.raw(
          `CREATE FUNCTION "${database.schema}".inject_failure() RETURNS trigger AS $$ BEGIN IF NEW.amount = ${POISON} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`,
        );
        await db.raw(
          `CREATE TRIGGER inject_failure BEFORE INSERT ON "${database.schema}".p_payments__transfers FOR EACH ROW EXECUTE FUNCTION "${database.schema}".inject_failure()`,
        );
      }
    } finally {
      await db.destroy();
    }
    host = await startPaymentsHost({ database });
    api = paymentsApi(host);
  });
  afterAll(async () => {
    await host?.stopHostOnly();
    await database?.drop();
  });

  it('rolls back every trace of a transfer that fails mid-transaction, and keeps its batch-mates', async () => {
    const before = await Promise.all([a, b, c].map((u) => api.balance(u)));
    const postingsBefore = (await api.verify()).postings;
    const [poisoned, ...others] = await Promise.all([
      api.transfer(a, b, POISON),
      api.transfer(a, c, 100),
      api.transfer(b, c, 50),
      api.transfer(c, a, 25),
    ]);
    // A database failure is no refusal of the plugin's own: the caller gets plugin_failed.
    expect(poisoned.status, JSON.stringify(poisoned.body)).toBe(502);
    expect(poisoned.body.error.code).toBe('plugin_failed');
    for (const r of others) expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(await Promise.all([a, b, c].map((u) => api.balance(u)))).toEqual([
      before[0]! - 100 + 25,
      before[1]! - 50,
      before[2]! + 100 + 50 - 25,
    ]);
    const report = await api.verify();
    expect(report.problems).toEqual([]);
    expect(report.postings).toBe(postingsBefore + 6);
    expect((await api.totals()).EUR!.total).toBe(0);
    // The key of the failed transfer stored nothing: it can be retried (and fails the same way here).
    const sent = (await api.call(a, 'GET', '/transfers')).body.sent;
    expect(sent.some((t: any) => t.amount === POISON)).toBe(false);
  });
});

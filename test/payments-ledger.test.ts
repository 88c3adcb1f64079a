/**
 * The ledger's invariants: money is conserved and verify passes after every operation of random
 * sequences (a property test), postings are append-only, and the hash chain finds any edit,
 * removal or insertion made behind the plugin's back.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { openDirect, paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';

const POSTINGS = 'p_payments__postings';
const WALLETS = 'p_payments__wallets';

describe('payments: ledger invariants', () => {
  let database: TestDatabase;
  let host: TestHost;
  let api: PaymentsApi;
  let users: TestUser[];

  beforeAll(async () => {
    database = await createTestDatabase();
    host = await startPaymentsHost({
      database,
      settings: { currencies: { EUR: 2, JPY: 0 }, limits: { perTransferMinor: 1_000_000, dailyMinor: 1_000_000_000 } },
    });
    api = paymentsApi(host);
    users = await Promise.all(Array.from({ length: 4 }, () => host.createUser()));
    for (const u of users) await api.setPin(u);
  });
  afterAll(async () => {
    await host?.stopHostOnly();
    await database?.drop();
  });

  it('conserves money and passes verify after every operation of random sequences', async () => {
    const user = fc.integer({ min: 0, max: 3 });
    const amount = fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.constantFrom(0, -1, 1.5, 2 ** 60));
    const currency = fc.constantFrom('EUR', 'JPY', 'XXX');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('topup' as const), user, amount, currency, declined: fc.boolean() }),
      fc.record({ kind: fc.constant('transfer' as const), from: user, to: user, amount, currency }),
      fc.record({ kind: fc.constant('replay' as const), from: user, to: user, amount, currency }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        for (const o of ops) {
          const before = await api.totals();
          let res: { status: number; body: any };
          if (o.kind === 'topup') {
            res = await api.topUp(users[o.user]!, o.amount, o.currency, o.declined ? 'tok_declined' : 'tok_visa');
          } else {
            const key = randomUUID();
            const send = () =>
              api.transfer(users[o.from]!, users[o.to]!, o.amount, { currency: o.currency, idempotencyKey: key });
            res = await send();
            if (o.kind === 'replay' && res.status === 201) {
              const again = await send();
              expect(again.status).toBe(200);
              expect(again.body).toEqual(res.body);
            }
          }
          const valid = Number.isSafeInteger(o.amount) && o.amount > 0 && o.currency !== 'XXX';
          if (!valid) expect(res.status).toBe(400);
          const after = await api.totals();
          for (const totals of Object.values(after)) expect(totals.total).toBe(0);
          const moved = res.status === 201 && o.kind !== 'topup' ? 0 : res.status === 201 ? o.amount : 0;
          expect(after[o.currency]?.users ?? 0).toBe((before[o.currency]?.users ?? 0) + moved);
          const report = await api.verify();
          expect(report.problems).toEqual([]);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('only ever appends postings: every existing row is unchanged by later operations', async () => {
    const stop = async () => host.stopHostOnly();
    await stop();
    let db = openDirect(database);
    const snapshot = await db(POSTINGS).orderBy('id');
    await db.destroy();
    host = await startPaymentsHost({ database });
    api = paymentsApi(host);
    await api.topUp(users[0]!, 777);
    await api.transfer(users[0]!, users[1]!, 77);
    await host.stopHostOnly();
    db = openDirect(database);
    const later = await db(POSTINGS).orderBy('id');
    await db.destroy();
    expect(later.length).toBe(snapshot.length + 4);
    expect(later.slice(0, snapshot.length)).toEqual(snapshot);
    host = await startPaymentsHost({ database });
    api = paymentsApi(host);
  });

  async function tamper(change: (db: ReturnType<typeof openDirect>) => Promise<void>) {
    await host.stopHostOnly();
    const db = openDirect(database);
    try {
      await change(db);
    } finally {
      await db.destroy();
    }
    host = await startPaymentsHost({ database });
    api = paymentsApi(host);
    return api.verify();
  }

  it('verify finds an altered amount, even with the cached balance altered to match', async () => {
    const target = await (async () => {
      const db = openDirect(database);
      await host.stopHostOnly();
      const row = await db(POSTINGS)
        .where('amount', '>', 0)
        .where('account', 'like', 'user:%')
        .orderBy('id', 'desc')
        .first();
      await db.destroy();
      return row;
    })();
    const report = await tamper(async (db) => {
      await db(POSTINGS)
        .where({ id: target.id })
        .update({ amount: target.amount + 100, balance_after: target.balance_after + 100 });
      await db(WALLETS).where({ account: target.account }).increment('balance', 100);
    });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(new RegExp(`posting ${target.id} was altered`));
    expect(report.problems.join('\n')).toMatch(/postings sum to 100, not 0/);
    // Put it back: verify passes again.
    const fixed = await tamper(async (db) => {
      await db(POSTINGS)
        .where({ id: target.id })
        .update({ amount: target.amount, balance_after: target.balance_after });
      await db(WALLETS).where({ account: target.account }).increment('balance', -100);
    });
    expect(fixed.problems).toEqual([]);
  });

  it('verify finds a removed posting and an inserted one', async () => {
    let removed: any;
    const afterRemoval = await tamper(async (db) => {
      removed = await db(POSTINGS).orderBy('id', 'desc').first();
      await db(POSTINGS).where({ id: removed.id }).delete();
    });
    expect(afterRemoval.ok).toBe(false);
    // The last posting gone: its wallet's chain, count and balance no longer match, nor its transaction's sum.
    expect(afterRemoval.problems).toEqual([
      expect.stringMatching(
        /: the chain ends at a different posting than the wallet records \(a posting was removed or added\)$/,
      ),
      expect.stringMatching(/: \d+ postings, the wallet records \d+$/),
      expect.stringMatching(/: cached balance -?\d+, postings sum to -?\d+$/),
      expect.stringMatching(/^transaction \d+: [A-Z]{3} postings sum to -?\d+, not 0$/),
    ]);
    const restored = await tamper(async (db) => {
      await db(POSTINGS).insert(removed);
    });
    expect(restored.problems).toEqual([]);
    const afterInsert = await tamper(async (db) => {
      const last = await db(POSTINGS).where('account', 'like', 'user:%').orderBy('id', 'desc').first();
      await db(POSTINGS).insert({
        ...last,
        id: undefined,
        seq: last.seq + 1,
        prev_hash: last.hash,
        amount: 1_000_000,
        balance_after: last.balance_after + 1_000_000,
      });
    });
    expect(afterInsert.ok).toBe(false);
    // A copy of the last posting with more money: its hash no longer fits, and the sums are off.
    expect(afterInsert.problems).toEqual([
      expect.stringMatching(/: posting \d+ was altered \(hash mismatch\)$/),
      expect.stringMatching(/: (\d+) postings, the wallet records \d+$/),
      expect.stringMatching(/: cached balance \d+, postings sum to \d+$/),
      expect.stringMatching(/^transaction \d+: EUR postings sum to 1000000, not 0$/),
    ]);
  });
});

/**
 * Plugins' own tables, queries: unique violations are reported or skipped on request; rows are
 * filtered, ordered, paged, counted, aggregated, updated and deleted; and many rows are updated each to
 * its own value in one call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { enable } from './support/plugin-helpers.js';
import { tablesClient, tablesManifest } from './support/plugin-tables.js';

describe('plugin tables: queries', () => {
  let database: TestDatabase;
  let host: TestHost;
  let user: TestUser;
  const boot = async (entries: ReturnType<typeof enable>[]) => {
    await host?.stopHostOnly();
    host = await startTestHost({ database, config: { plugins: { enabled: entries } } });
    user = await host.createUser();
  };
  const { query, value, refused } = tablesClient(() => ({ host, user }));

  beforeAll(async () => {
    database = await createTestDatabase();
    await boot([enable(tablesManifest('ledger'))]);
    // The row the unique violation collides with.
    await value(query('ledger', 'accounts', ['insert', { owner: 'alice' }]));
  });
  afterAll(async () => {
    await host?.stopHostOnly();
    await database?.drop();
  });

  it('reports unique violations, or skips them when asked', async () => {
    await refused(query('ledger', 'accounts', ['insert', { owner: 'alice' }]), 'database_conflict', /unique/);
    expect(
      await value(
        query('ledger', 'accounts', [
          'insert',
          [{ owner: 'alice' }, { owner: 'carol' }],
          { onConflictIgnore: ['owner'] },
        ]),
      ),
    ).toEqual([expect.objectContaining({ owner: 'carol', balance: 0 })]);
    // The unique index migration 002 added.
    expect(
      await value(query('ledger', 'entries', ['insert', { account: 'alice', amount: 5, idem: 'k1' }])),
    ).toHaveLength(1);
    await refused(
      query('ledger', 'entries', ['insert', { account: 'alice', amount: 7, idem: 'k1' }]),
      'database_conflict',
    );
    expect(
      await value(
        query('ledger', 'entries', [
          'insert',
          { account: 'alice', amount: 7, idem: 'k1' },
          { onConflictIgnore: ['account', 'idem'] },
        ]),
      ),
    ).toEqual([]);
    await refused(query('ledger', 'entries', ['insert', { account: 'alice' }]), 'database_constraint');
  });

  it('filters, orders, pages, counts, aggregates, updates and deletes', async () => {
    await value(query('ledger', 'entries', ['delete']));
    const rows = [
      ['alice', 10],
      ['alice', -3],
      ['bob', 4],
      ['carol', 1],
      ['carol', 2],
      ['carol', 3],
    ].map(([account, amount]) => ({ account, amount }));
    expect(await value(query('ledger', 'entries', ['insert', rows]))).toHaveLength(6);
    const amounts = (steps: unknown[][]) =>
      value(query('ledger', 'entries', ['all'], steps)).then((r: any[]) => r.map((e) => e.amount));
    expect(
      await amounts([
        ['where', 'amount', '>', 1],
        ['orderBy', 'amount', 'desc'],
      ]),
    ).toEqual([10, 4, 3, 2]);
    expect(
      await amounts([
        ['whereIn', 'account', ['alice', 'bob']],
        ['orderBy', 'amount'],
        ['limit', 2],
        ['offset', 1],
      ]),
    ).toEqual([4, 10]);
    expect(
      await amounts([
        ['where', 'account', 'like', 'car%'],
        ['where', 'amount', '!=', 2],
        ['orderBy', 'amount'],
      ]),
    ).toEqual([1, 3]);
    expect(
      await amounts([
        ['whereNull', 'memo'],
        ['where', { account: 'bob' }],
      ]),
    ).toEqual([4]);
    expect(await value(query('ledger', 'entries', ['count'], [['where', { account: 'carol' }]]))).toBe(3);
    expect(
      await value(
        query(
          'ledger',
          'entries',
          ['aggregate', { count: true, sum: ['amount'], max: ['amount'] }],
          [
            ['groupBy', 'account'],
            ['orderBy', 'account'],
          ],
        ),
      ),
    ).toEqual([
      { account: 'alice', count: 2, sum_amount: 7, max_amount: 10 },
      { account: 'bob', count: 1, sum_amount: 4, max_amount: 4 },
      { account: 'carol', count: 3, sum_amount: 6, max_amount: 3 },
    ]);
    expect(
      await value(query('ledger', 'entries', ['aggregate', { sum: ['amount'] }], [['where', { account: 'nobody' }]])),
    ).toEqual([{ sum_amount: 0 }]);
    expect(
      await value(query('ledger', 'entries', ['update', { memo: 'carol' }], [['where', { account: 'carol' }]])),
    ).toBe(3);
    expect(await value(query('ledger', 'entries', ['increment', 'amount', 100], [['where', { memo: 'carol' }]]))).toBe(
      3,
    );
    expect(
      await amounts([
        ['where', { account: 'carol' }],
        ['orderBy', 'amount'],
      ]),
    ).toEqual([101, 102, 103]);
    expect(await value(query('ledger', 'entries', ['delete'], [['where', 'amount', '>', 100]]))).toBe(3);
    expect(await value(query('ledger', 'entries', ['count']))).toBe(3);
  });

  it('updates many rows to their own values in one call', async () => {
    await value(query('ledger', 'accounts', ['insert', [{ owner: 'u1' }, { owner: 'u2' }, { owner: 'u3' }]]));
    const changed = await value(
      query('ledger', 'accounts', [
        'updateEach',
        'owner',
        [
          { owner: 'u1', balance: 11, frozen: true, meta: { n: 1 } },
          { owner: 'u2', balance: 2 ** 40, frozen: false, meta: [2] },
          { owner: 'nobody', balance: 5, frozen: true, meta: null },
        ],
      ]),
    );
    expect(changed).toBe(2);
    const theThree = (...columns: string[]) =>
      value(
        query(
          'ledger',
          'accounts',
          ['all'],
          [
            ['whereIn', 'owner', ['u1', 'u2', 'u3']],
            ['orderBy', 'owner'],
            ['columns', ...columns],
          ],
        ),
      );
    const rows = await theThree('owner', 'balance', 'frozen', 'meta');
    expect(rows).toEqual([
      { owner: 'u1', balance: 11, frozen: true, meta: { n: 1 } },
      { owner: 'u2', balance: 2 ** 40, frozen: false, meta: [2] },
      { owner: 'u3', balance: 0, frozen: false, meta: null },
    ]);
    // Within the query's filters, including one on the key itself: u1 is frozen, u3 filtered out.
    expect(
      await value(
        query(
          'ledger',
          'accounts',
          ['updateEach', 'owner', ['u1', 'u2', 'u3'].map((owner) => ({ owner, balance: 7 }))],
          [
            ['where', { frozen: false }],
            ['whereIn', 'owner', ['u1', 'u2']],
          ],
        ),
      ),
    ).toBe(1);
    expect((await theThree('balance')).map((r: any) => r.balance)).toEqual([11, 7, 0]);
    await refused(
      query('ledger', 'accounts', [
        'updateEach',
        'owner',
        [
          { owner: 'u1', balance: 1 },
          { owner: 'u2', frozen: true },
        ],
      ]),
      'database_invalid_query',
      /same columns/,
    );
    await refused(
      query('ledger', 'accounts', ['updateEach', 'owner', [{ balance: 1 }]]),
      'database_invalid_query',
      /names its owner/,
    );
    await refused(
      query('ledger', 'accounts', ['updateEach', 'owner', [{ owner: 'u1', balance: 'x' }]]),
      'database_invalid_query',
      /balance must be an integer/,
    );
    await value(query('ledger', 'accounts', ['delete'], [['whereIn', 'owner', ['u1', 'u2', 'u3']]]));
  });
});

/**
 * Plugins' own tables, read groups (`tx.readTogether`): a transaction's queries read together
 * answer exactly what each answers alone (every column kind, order, limits, columns), in the
 * order given; on PostgreSQL they are one statement whose locks are taken query by query in that
 * order; and the API refuses what is not a query of this transaction, or too many.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicalTableName } from '../host/plugins/database/table-names.js';
import { eventually } from './support/eventually.js';
import { enable } from './support/plugin-helpers.js';
import { tablesClient, tablesManifest } from './support/plugin-tables.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { openDirect, testDatabaseKind } from './support/test-database.js';

describe('plugin tables: read groups', () => {
  let host: TestHost;
  let user: TestUser;
  const { run, query, value, refused } = tablesClient(() => ({ host, user }));

  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled: [enable(tablesManifest('ledger'))] } } });
    user = await host.createUser();
    await value(
      query('ledger', 'accounts', [
        'insert',
        [
          {
            owner: 'alice',
            balance: 9_007_199_254_740_991,
            frozen: true,
            meta: { tags: ['a', 'é'], n: 1.5 },
            rate: 0.1,
          },
          { owner: 'bob', balance: -42, frozen: false, meta: null, rate: null },
          { owner: 'carol', balance: 0, meta: 'just "text" \\ with\nlines', rate: -2.5e-7 },
        ],
      ]),
    );
    await value(
      query('ledger', 'entries', [
        'insert',
        [
          { account: 'alice', amount: 5, memo: 'first' },
          { account: 'alice', amount: -3, memo: null },
          { account: 'bob', amount: 7, memo: 'ünïcode ☃' },
        ],
      ]),
    );
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('answers each query of the group exactly as all() alone, in the order given', async () => {
    const reads = [
      { table: 'accounts', steps: [['orderBy', 'owner', 'desc'], ['forUpdate']] },
      {
        table: 'entries',
        steps: [
          ['where', { account: 'alice' }],
          ['orderBy', 'id'],
          ['columns', 'amount', 'memo'],
        ],
      },
      { table: 'entries', steps: [['where', { account: 'nobody' }]] },
      {
        table: 'accounts',
        steps: [
          ['where', 'balance', '<=', 0],
          ['orderBy', 'owner'],
          ['limit', 1],
        ],
      },
    ];
    const { together, alone } = await value(run('ledger', { op: 'tx-read-together', reads }));
    expect(together).toEqual(alone);
    expect(together[0].map((r: any) => r.owner)).toEqual(['carol', 'bob', 'alice']);
    expect(together[0][2]).toMatchObject({
      balance: 9_007_199_254_740_991,
      frozen: true,
      meta: { tags: ['a', 'é'], n: 1.5 },
      rate: 0.1,
    });
    expect(together[0][1]).toMatchObject({ balance: -42, frozen: false, meta: null, rate: null });
    expect(together[0][0]).toMatchObject({ meta: 'just "text" \\ with\nlines', rate: -2.5e-7 });
    expect(together[1]).toEqual([
      { amount: 5, memo: 'first' },
      { amount: -3, memo: null },
    ]);
    expect(together[2]).toEqual([]);
    expect(together[3].map((r: any) => r.owner)).toEqual(['bob']);
  });

  it('refuses what is not a query of this transaction, and more than 16 queries', async () => {
    for (const how of ['outside', 'not-a-query', 'not-an-array'])
      await refused(run('ledger', { op: 'tx-read-together-misuse', how }), 'database_invalid_query', /readTogether/);
    await refused(run('ledger', { op: 'tx-read-together-misuse', how: 'too-many' }), 'database_invalid_query', /16/);
  });

  // Only PostgreSQL lets the test reach the host's tables while it runs (a SQLite host holds its file).
  it.skipIf(testDatabaseKind !== 'postgres')(
    'is one statement on PostgreSQL, whose locks are taken query by query in the order given',
    async () => {
      const entries = physicalTableName('ledger', 'entries');
      const accounts = physicalTableName('ledger', 'accounts');
      const db = openDirect(host.database);
      const holder = await db.transaction();
      try {
        await holder.raw(`select 1 from ${accounts} where owner = 'bob' for update`);
        const group = run('ledger', {
          op: 'tx-read-together',
          reads: [
            { table: 'entries', steps: [['where', { account: 'alice' }], ['forUpdate']] },
            { table: 'accounts', steps: [['where', { owner: 'bob' }], ['forUpdate']] },
          ],
        });
        // The group waits on bob's row in one statement naming both tables, holding alice's entries.
        await eventually(
          async () =>
            (
              await db.raw(
                `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like ? and query like ?`,
                [`%${entries}%`, `%${accounts}%`],
              )
            ).rows.length === 1,
          { what: 'the read group waiting for the held row' },
        );
        await expect(
          db.transaction((trx) => trx.raw(`select 1 from ${entries} where account = 'alice' for update nowait`)),
        ).rejects.toMatchObject({ code: '55P03' });
        await holder.commit();
        const { together } = await value(group);
        expect(together[0].map((r: any) => r.amount)).toEqual(expect.arrayContaining([5, -3]));
        expect(together[1].map((r: any) => r.owner)).toEqual(['bob']);
      } finally {
        if (!holder.isCompleted()) await holder.rollback();
        await db.destroy();
      }
    },
  );
});

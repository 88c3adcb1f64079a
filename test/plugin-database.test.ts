/**
 * Plugins' own tables (permission database): migrations create and change them, queries check
 * names and values the same way on SQLite and PostgreSQL, transactions commit together or not at
 * all, and no plugin reaches another's tables. The fixture answers POST /plugins/<id>/run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { repoRoot } from './support/e2e.js';
import { enable, listPlugins } from './support/plugin-helpers.js';

const ENTRY = `${repoRoot}/test/fixtures/plugins/tables/index.ts`;

function tablesManifest(
  id: string,
  permissions: Record<string, object> = { database: {}, 'http.routes': {}, storage: {} },
  runtime = 'trusted',
) {
  return {
    id,
    name: `Tables ${id}`,
    version: '1.0.0',
    description: 'A test fixture with its own tables.',
    author: 'Switchboard tests',
    engine: '^1.0.0',
    runtime,
    entry: ENTRY,
    permissions,
    contributes: { routes: [{ method: 'POST', path: '/run', auth: 'user' }] },
  };
}

describe('plugin tables', () => {
  let database: TestDatabase;
  let host: TestHost;
  let user: TestUser;
  const boot = async (entries: ReturnType<typeof enable>[]) => {
    await host?.stopHostOnly();
    host = await startTestHost({ database, config: { plugins: { enabled: entries } } });
    user = await host.createUser();
  };
  const run = async (id: string, body: object) => {
    const res = await host.http('POST', `/plugins/${id}/run`, { token: user.token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const query = (id: string, table: string, end: unknown[], steps: unknown[][] = []) =>
    run(id, { op: 'query', table, steps, end });
  const value = async (p: Promise<any>) => {
    const outcome = await p;
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    return outcome.value;
  };
  const refused = async (p: Promise<any>, code: string, message?: RegExp) => {
    const outcome = await p;
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, code });
    if (message) expect(outcome.message).toMatch(message);
    return outcome;
  };
  const owners = async (id = 'ledger') =>
    (await value(query(id, 'accounts', ['all'], [['orderBy', 'owner']]))).map((r: any) => r.owner);

  beforeAll(async () => {
    database = await createTestDatabase();
    await boot([
      enable(tablesManifest('ledger')),
      enable(tablesManifest('other')),
      enable(tablesManifest('no-db', { 'http.routes': {} })),
      enable(tablesManifest('refused-db'), { grants: { database: false } }),
    ]);
  });
  afterAll(async () => {
    await host?.stopHostOnly();
    await database?.drop();
  });

  it('runs the migrations that create and change the tables', async () => {
    const plugins = await listPlugins(host);
    expect(plugins.filter((p) => p.id !== 'no-db' && p.id !== 'refused-db').map((p) => [p.id, p.status])).toEqual([
      ['ledger', 'running'],
      ['other', 'running'],
    ]);
    // A plugin without the permission fails its first migration, by name, with the denial.
    for (const id of ['no-db', 'refused-db']) {
      const failed = plugins.find((p) => p.id === id)!;
      expect(failed.status).toBe('failed');
      expect(failed.error).toMatchObject({
        code: 'plugin_start_failed',
        message: expect.stringMatching(/Migration 001-accounts of plugin .* failed: .*"database"/),
      });
    }
  });

  it('stores and reads back each column kind as written', async () => {
    const [row] = await value(
      query('ledger', 'accounts', [
        'insert',
        { owner: 'alice', balance: 100, meta: { tier: 'gold', tags: ['a', 'b'] }, rate: 0.25 },
      ]),
    );
    expect(row).toEqual({
      id: expect.any(Number),
      owner: 'alice',
      balance: 100,
      frozen: false,
      meta: { tier: 'gold', tags: ['a', 'b'] },
      rate: 0.25,
    });
    expect(await value(query('ledger', 'accounts', ['first'], [['where', { owner: 'alice' }]]))).toEqual(row);
    const big = Number.MAX_SAFE_INTEGER;
    const [bob] = await value(
      query('ledger', 'accounts', ['insert', { owner: 'bob', balance: big, frozen: true, meta: null }]),
    );
    expect(bob).toMatchObject({ owner: 'bob', balance: big, frozen: true, meta: null, rate: null });
    expect(
      await value(
        query(
          'ledger',
          'accounts',
          ['all'],
          [
            ['where', { frozen: true }],
            ['columns', 'owner', 'balance'],
          ],
        ),
      ),
    ).toEqual([{ owner: 'bob', balance: big }]);
  });

  it('refuses values that do not fit their column, the same on both databases', async () => {
    const insert = (row: object) => query('ledger', 'accounts', ['insert', row]);
    await refused(insert({ owner: 5 }), 'database_invalid_query', /accounts\.owner must be a string/);
    await refused(insert({ owner: 'x'.repeat(65) }), 'database_invalid_query', /at most 64 characters/);
    await refused(insert({ owner: 'c', balance: 1.5 }), 'database_invalid_query', /balance must be an integer/);
    await refused(insert({ owner: 'c', balance: 2 ** 60 }), 'database_invalid_query', /balance/);
    await refused(insert({ owner: 'c', frozen: 'yes' }), 'database_invalid_query', /frozen must be true or false/);
    await refused(insert({ owner: 'c', rate: 'fast' }), 'database_invalid_query', /rate must be a finite number/);
    await refused(
      insert({ owner: 'c', nickname: 'cc' }),
      'database_invalid_query',
      /no column nickname; it has id, owner, balance/,
    );
    await refused(
      query('ledger', 'accounts', ['all'], [['where', 'balance', '~', 1]]),
      'database_invalid_query',
      /Unknown operator/,
    );
    await refused(
      query('ledger', 'accounts', ['all'], [['orderBy', 'owner; drop table accounts']]),
      'database_invalid_query',
      /Column name/,
    );
    await refused(
      query('ledger', 'accounts', ['all'], [['forUpdate']]),
      'database_invalid_query',
      /inside database.transaction/,
    );
    await refused(
      query('ledger', 'accounts', ['increment', 'owner', 1]),
      'database_invalid_query',
      /increment\(owner\)/,
    );
    expect(await owners()).toEqual(['alice', 'bob']);
  });

  it('names the tables a plugin has when it asks for another, and no name reaches past its own', async () => {
    await refused(
      query('ledger', 'missing', ['all']),
      'database_invalid_query',
      /no table missing; it has accounts, entries, scratch/,
    );
    for (const name of ['p_other__accounts', 'other__accounts', 'Accounts', 'plugin_kv', '_x', 'a'.repeat(60)]) {
      await refused(query('ledger', name, ['all']), 'database_invalid_query');
    }
    // The other plugin's table of the same name is its own, and empty.
    expect(await value(query('other', 'accounts', ['count']))).toBe(0);
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
    const rows = await value(
      query(
        'ledger',
        'accounts',
        ['all'],
        [
          ['whereIn', 'owner', ['u1', 'u2', 'u3']],
          ['orderBy', 'owner'],
          ['columns', 'owner', 'balance', 'frozen', 'meta'],
        ],
      ),
    );
    expect(rows).toEqual([
      { owner: 'u1', balance: 11, frozen: true, meta: { n: 1 } },
      { owner: 'u2', balance: 2 ** 40, frozen: false, meta: [2] },
      { owner: 'u3', balance: 0, frozen: false, meta: null },
    ]);
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

  it('updates hundreds of rows each to its own value in a transaction, all or none', async () => {
    const owners = Array.from({ length: 150 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
    await value(query('ledger', 'accounts', ['insert', owners.map((owner) => ({ owner }))]));
    const rows = (balance: (i: number) => number) => owners.map((owner, i) => ({ owner, balance: balance(i) }));
    const balances = async () =>
      (
        await value(
          query(
            'ledger',
            'accounts',
            ['all'],
            [
              ['whereIn', 'owner', owners],
              ['orderBy', 'owner'],
              ['columns', 'balance'],
            ],
          ),
        )
      ).map((r: any) => r.balance);
    // Past one statement's worth of rows: the update is split, and a throw afterwards undoes every part.
    expect(await run('ledger', { op: 'tx-update-each', rows: rows((i) => 1_000 + i), thenThrow: true })).toMatchObject({
      ok: false,
      message: 'changed my mind',
    });
    expect(await balances()).toEqual(owners.map(() => 0));
    expect(await run('ledger', { op: 'tx-update-each', rows: rows((i) => 1_000 + i) })).toEqual({
      ok: true,
      value: 150,
    });
    expect(await balances()).toEqual(owners.map((_, i) => 1_000 + i));
    await value(query('ledger', 'accounts', ['delete'], [['whereIn', 'owner', owners]]));
  });

  it('never overdraws under concurrent transfers, and conserves the total', async () => {
    await value(query('ledger', 'accounts', ['update', { balance: 100 }], [['whereIn', 'owner', ['alice', 'carol']]]));
    await value(query('ledger', 'entries', ['delete']));
    const transfers = Array.from({ length: 30 }, (_, i) =>
      run(
        'ledger',
        i % 3 === 2
          ? { op: 'transfer', from: 'carol', to: 'alice', amount: 10 }
          : { op: 'transfer', from: 'alice', to: 'carol', amount: 10 },
      ),
    );
    const outcomes = await Promise.all(transfers);
    for (const o of outcomes) expect(o.ok, JSON.stringify(o)).toBe(true);
    const moved = outcomes.filter((o) => o.value.moved).length;
    const balances = await value(
      query(
        'ledger',
        'accounts',
        ['all'],
        [
          ['whereIn', 'owner', ['alice', 'carol']],
          ['orderBy', 'owner'],
        ],
      ),
    );
    expect(balances.map((b: any) => b.balance).reduce((a: number, b: number) => a + b)).toBe(200);
    for (const b of balances) expect(b.balance).toBeGreaterThanOrEqual(0);
    // Every transfer that moved money wrote its two entries; the entries sum to nothing.
    expect(await value(query('ledger', 'entries', ['count']))).toBe(moved * 2);
    expect(await value(query('ledger', 'entries', ['aggregate', { sum: ['amount'] }]))).toEqual([{ sum_amount: 0 }]);
    const net = await value(
      query(
        'ledger',
        'entries',
        ['aggregate', { sum: ['amount'] }],
        [
          ['groupBy', 'account'],
          ['orderBy', 'account'],
        ],
      ),
    );
    expect(net.map((n: any) => n.sum_amount)).toEqual(balances.map((b: any) => b.balance - 100));
  });

  it('rolls a transaction back when its callback throws', async () => {
    expect(await run('ledger', { op: 'tx-then-throw', owner: 'ghost' })).toMatchObject({
      ok: false,
      name: 'Error',
      message: 'changed my mind',
    });
    expect(await owners()).not.toContain('ghost');
  });

  it('refuses other capabilities inside a transaction and rolls it back', async () => {
    await refused(
      run('ledger', { op: 'tx-calls-storage', owner: 'ghost' }),
      'database_transaction_scope',
      /inside a database transaction/,
    );
    expect(await owners()).not.toContain('ghost');
  });

  it('rolls back a transaction that runs past its budget, and frees the connection at once', async () => {
    const started = Date.now();
    await refused(
      run('ledger', { op: 'tx-sleeps', owner: 'sleeper', ms: 12_000, timeoutMs: 200 }),
      'database_transaction_timeout',
      /200 ms/,
    );
    expect(await owners()).not.toContain('sleeper');
    // Messaging went on while the plugin slept (on SQLite the transaction held the only connection).
    const room = await host.createGroup(user, [], 'after the timeout');
    expect(room.id).toEqual(expect.any(String));
    // Had the connection stayed held, this would have waited for the 12 s sleep; the bound leaves a
    // slow, loaded machine seconds to spare (it was 2.5 s against a 3 s sleep).
    expect(Date.now() - started).toBeLessThan(9_000);
  });

  it('fails the whole transaction at a failed statement, even if the plugin swallows the error', async () => {
    await refused(
      run('ledger', { op: 'tx-swallows-conflict', owner: 'dave' }),
      'database_transaction_scope',
      /failed at an earlier statement/,
    );
    expect(await owners()).not.toContain('dave');
    expect(await owners()).not.toContain('dave-2');
  });

  it('refuses a transaction handle used after the transaction ended', async () => {
    await refused(run('ledger', { op: 'tx-leaks-handle' }), 'database_transaction_scope', /has ended/);
  });

  it('audits schema changes and every committed write', async () => {
    const audit = (
      await host.http('GET', '/v1/admin/audit?pluginId=ledger&limit=1000', { token: 'admin' })
    ).body.entries.reverse();
    const ddl = audit.filter((e: any) => e.action.endsWith('_table')).map((e: any) => `${e.action} ${e.target}`);
    expect(ddl).toEqual([
      'create_table accounts',
      'create_table entries',
      'alter_table entries',
      'create_table scratch',
    ]);
    for (const e of audit) expect(e.capability).toBe('database');
    expect(audit.filter((e: any) => e.action === 'transaction').map((e: any) => e.target)).toContain(
      'increment:accounts insert:entries',
    );
    expect(audit.filter((e: any) => e.action === 'insert' && e.target === 'accounts').length).toBeGreaterThanOrEqual(3);
    // Rolled-back transactions left no entry: of the two bulk updates, only the committed one.
    expect(
      audit
        .filter((e: any) => e.action === 'transaction' && e.target !== 'increment:accounts insert:entries')
        .map((e: any) => e.target),
    ).toEqual(['update:accounts']);
  });

  it('keeps tables and data across a restart without running a migration twice', async () => {
    const before = await owners();
    await boot([enable(tablesManifest('ledger'))]);
    expect((await listPlugins(host))[0]).toMatchObject({ id: 'ledger', status: 'running' });
    expect(await owners()).toEqual(before);
  });

  it('drops the tables a failed migration created, so it runs again at the next start', async () => {
    await boot([
      enable(tablesManifest('fragile'), { settings: { failMigration: true } }),
      enable(tablesManifest('ledger')),
    ]);
    const [fragile, ledger] = await listPlugins(host);
    expect(ledger).toMatchObject({ id: 'ledger', status: 'running' });
    expect(fragile).toMatchObject({ id: 'fragile', status: 'failed' });
    expect(fragile!.error!.message).toMatch(
      /Migration 003-scratch of plugin fragile failed: migration 003 gave up half way/,
    );
    await boot([enable(tablesManifest('fragile'))]);
    expect((await listPlugins(host))[0]).toMatchObject({ id: 'fragile', status: 'running' });
    expect(await value(query('fragile', 'scratch', ['insert', { k: 'a' }]))).toEqual([{ k: 'a' }]);
    const ddl = (await host.http('GET', '/v1/admin/audit?pluginId=fragile&limit=100', { token: 'admin' })).body.entries
      .filter((e: any) => e.action.endsWith('_table'))
      .map((e: any) => `${e.action} ${e.target}`)
      .reverse();
    expect(ddl).toEqual([
      'create_table accounts',
      'create_table entries',
      'alter_table entries',
      'create_table scratch',
      'drop_table scratch',
      'create_table scratch',
    ]);
  });

  it('keeps the tables when uninstalled, and drops them when purged', async () => {
    await boot([enable(tablesManifest('ledger'))]);
    const kept = await host.http('DELETE', '/v1/admin/plugins/ledger', { token: 'admin' });
    expect(kept.body).toMatchObject({ status: 'disabled', purged: false });
    expect((await host.http('POST', '/v1/admin/plugins/ledger/enable', { token: 'admin' })).body.status).toBe(
      'running',
    );
    expect(await owners()).toContain('alice');
    const purged = await host.http('DELETE', '/v1/admin/plugins/ledger?purge=true', { token: 'admin' });
    expect(purged.body).toMatchObject({ status: 'disabled', purged: true });
    expect((await host.http('POST', '/v1/admin/plugins/ledger/enable', { token: 'admin' })).body.status).toBe(
      'running',
    );
    expect(await owners()).toEqual([]);
  });

  it('refuses the database permission in a sandboxed manifest', async () => {
    await boot([enable(tablesManifest('boxed', { database: {} }, 'sandbox'))]);
    const [boxed] = await listPlugins(host);
    expect(boxed).toMatchObject({ id: 'boxed', status: 'failed', error: { code: 'manifest_invalid' } });
    expect(boxed!.error!.details).toContainEqual({
      path: '/permissions/database',
      message: expect.stringMatching(/trusted plugins only/),
    });
  });
});

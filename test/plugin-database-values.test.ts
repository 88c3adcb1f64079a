/**
 * Plugins' own tables, values and names: each column kind is stored and read back as written, values
 * that do not fit their column are refused the same way on SQLite and PostgreSQL, and a plugin reaches
 * only its own tables, whatever name it asks for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { enable } from './support/plugin-helpers.js';
import { tablesClient, tablesManifest } from './support/plugin-tables.js';

describe('plugin tables: values and names', () => {
  let database: TestDatabase;
  let host: TestHost;
  let user: TestUser;
  const boot = async (entries: ReturnType<typeof enable>[]) => {
    await host?.stopHostOnly();
    host = await startTestHost({ database, config: { plugins: { enabled: entries } } });
    user = await host.createUser();
  };
  const { query, value, refused, owners } = tablesClient(() => ({ host, user }));

  beforeAll(async () => {
    database = await createTestDatabase();
    await boot([enable(tablesManifest('ledger')), enable(tablesManifest('other'))]);
  });
  afterAll(async () => {
    await host?.stopHostOnly();
    await database?.drop();
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

  it('keeps awkward values whole through many-row inserts, updates and lists', async () => {
    // On PostgreSQL these rows travel as one array per column: each value must come back as written.
    const awkward = ['say "hi"', 'back\\slash', 'a,b', '{x}', 'NULL', '', 'naïve 😀', 'two\nlines', "it's"];
    const rows = awkward.map((owner, i) => ({
      owner,
      balance: i % 2 ? -(2 ** 53 - 1) : i,
      frozen: i % 3 === 0,
      meta: i % 4 === 0 ? null : { owner, list: [owner, null, 1e-7] },
      rate: [1e-7, -2.5, 0, null][i % 4],
    }));
    const inserted = await value(query('ledger', 'accounts', ['insert', rows]));
    expect(inserted.map((r: any) => r.owner)).toEqual(awkward);
    const read = () =>
      value(
        query(
          'ledger',
          'accounts',
          ['all'],
          [
            ['whereIn', 'owner', awkward],
            ['columns', 'owner', 'balance', 'frozen', 'meta', 'rate'],
          ],
        ),
      );
    const byOwner = (list: any[]) => [...list].sort((a, b) => (a.owner < b.owner ? -1 : 1));
    expect(byOwner(await read())).toEqual(byOwner(rows));
    const changed = rows.map((r, i) => ({ ...r, meta: { was: r.owner }, rate: i / 3, frozen: !r.frozen }));
    expect(await value(query('ledger', 'accounts', ['updateEach', 'owner', changed]))).toBe(awkward.length);
    expect(byOwner(await read())).toEqual(byOwner(changed));
    // A repeated insert skips every row it would conflict on, and the list filter still finds them all.
    expect(await value(query('ledger', 'accounts', ['insert', rows, { onConflictIgnore: ['owner'] }]))).toEqual([]);
    expect(await value(query('ledger', 'accounts', ['delete'], [['whereIn', 'owner', awkward]]))).toBe(awkward.length);
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
});

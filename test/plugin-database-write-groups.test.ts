/**
 * Plugins' own tables, write groups (`tx.writeTogether`): the writes of a group commit with their
 * transaction and answer how many rows each wrote; concurrent grouped transfers never overdraw; a
 * write that fails takes the whole group and transaction with it; a throw afterwards undoes the
 * group; the API refuses groups whose outcome would depend on the database (two writes to one
 * table, one key twice) and groups named asynchronously; and the group's writes are audited.
 * Outside a transaction a group commits on its own, and a write may depend on an earlier one
 * having written (`onlyIfWrote`: a compare-and-set and what it guards).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { enable } from './support/plugin-helpers.js';
import { tablesClient, tablesManifest } from './support/plugin-tables.js';

describe('plugin tables: write groups', () => {
  let host: TestHost;
  let user: TestUser;
  const { run, query, value, refused } = tablesClient(() => ({ host, user }));
  const balances = async () =>
    Object.fromEntries(
      (await value(query('ledger', 'accounts', ['all'], [['orderBy', 'owner']]))).map((r: any) => [r.owner, r.balance]),
    );
  const entries = async () => value(query('ledger', 'entries', ['all'], [['orderBy', 'id']]));

  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled: [enable(tablesManifest('ledger'))] } } });
    user = await host.createUser();
    await value(query('ledger', 'accounts', ['insert', [{ owner: 'alice', balance: 100 }, { owner: 'bob' }]]));
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('commits a group with its transaction and answers how many rows each write wrote', async () => {
    expect(
      await value(run('ledger', { op: 'tx-write-together', from: 'alice', to: 'bob', amount: 30, idem: 'a' })),
    ).toEqual([2, 2]);
    expect(await balances()).toEqual({ alice: 70, bob: 30 });
    expect((await entries()).map((e: any) => [e.account, e.amount, e.idem])).toEqual([
      ['alice', -30, 'a'],
      ['bob', 30, 'a'],
    ]);
  });

  it('never overdraws under concurrent grouped transfers, and conserves the total', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        run('ledger', { op: 'tx-write-together', from: 'alice', to: 'bob', amount: 10, idem: `c${i}` }),
      ),
    );
    for (const o of outcomes) expect(o.ok, JSON.stringify(o)).toBe(true);
    // 70 moves seven times; the other transfers found too little under the lock.
    expect(outcomes.filter((o) => o.value !== null)).toHaveLength(7);
    expect(await balances()).toEqual({ alice: 0, bob: 100 });
    expect(await entries()).toHaveLength(2 + 7 * 2);
  });

  it('fails the group and its transaction when one write fails, and leaves nothing of either', async () => {
    const before = { balances: await balances(), entries: await entries() };
    // The entries' tag `a` is taken: the insert breaks the unique index after the update was named first.
    await refused(
      run('ledger', { op: 'tx-write-together', from: 'bob', to: 'alice', amount: 5, idem: 'a' }),
      'database_conflict',
      /entries/,
    );
    expect(await balances()).toEqual(before.balances);
    expect(await entries()).toEqual(before.entries);
    // Told to skip a conflict, the insert counts only the rows it wrote: none here.
    expect(
      await value(
        run('ledger', {
          op: 'tx-write-together',
          from: 'bob',
          to: 'alice',
          amount: 5,
          idem: 'a',
          ignoreConflicts: true,
        }),
      ),
    ).toEqual([2, 0]);
    expect(await balances()).toEqual({ alice: 5, bob: 95 });
  });

  it('undoes the group when the transaction throws after it', async () => {
    const before = await balances();
    expect(
      await run('ledger', { op: 'tx-write-together', from: 'bob', to: 'alice', amount: 1, idem: 't', thenThrow: true }),
    ).toMatchObject({ ok: false, message: 'changed my mind' });
    expect(await balances()).toEqual(before);
    expect((await entries()).filter((e: any) => e.idem === 't')).toEqual([]);
  });

  it('refuses groups whose outcome would be the database’s choice, or that it cannot see whole', async () => {
    const misuse = (how: string, message: RegExp) =>
      refused(run('ledger', { op: 'tx-group-misuse', how }), 'database_invalid_query', message);
    await misuse('same-table', /writes each table once; entries/);
    await misuse('two-writes', /already made/);
    await misuse('no-write', /names entries but makes no write/);
    await misuse('async', /may not be async/);
    await misuse('duplicate-key', /names the owner \["alice"\] twice/);
    await misuse('only-if-later', /first write of a group has no earlier one/);
    await misuse('only-if-insert', /entries \(insert\) after accounts \(update\) is not/);
    // None of them wrote anything.
    expect((await entries()).filter((e: any) => e.account === 'x')).toEqual([]);
    expect((await balances()).alice).toBe(5);
  });

  it('writes a conditional write only when its earlier one wrote, in a group of its own', async () => {
    await value(query('ledger', 'entries', ['insert', { account: 'carol', amount: 1, memo: 'new' }]));
    await value(query('ledger', 'accounts', ['insert', { owner: 'carol', balance: 10 }]));
    const memos = async () =>
      (await entries()).filter((e: any) => e.account === 'carol').map((e: any) => e.memo as string);
    // A lost compare-and-set: neither write happens.
    const lost = { op: 'cas-group', owner: 'carol', expect: 9, balance: 20, memo: 'lost' };
    expect(await value(run('ledger', lost))).toEqual([0, 0]);
    expect([(await balances()).carol, await memos()]).toEqual([10, ['new']]);
    // A won one: both, committed without a transaction of the plugin's.
    const won = { op: 'cas-group', owner: 'carol', expect: 10, balance: 20, memo: 'won' };
    expect(await value(run('ledger', won))).toEqual([1, 1]);
    expect([(await balances()).carol, await memos()]).toEqual([20, ['won']]);
    // Each write is audited as a single write is, not as a transaction.
    const audit = (
      await host.http('GET', '/v1/admin/audit?pluginId=ledger&capability=database&limit=20', {
        token: 'admin',
      })
    ).body.entries;
    expect(
      audit
        .slice(0, 2)
        .map((e: any) => `${e.action}:${e.target}`)
        .sort(),
    ).toEqual(['update:accounts', 'update:entries']);
  });

  it('answers each write’s rows as stored when asked, in a transaction or on its own', async () => {
    const account = (owner: string, balance: number) => ({
      id: expect.any(Number),
      owner,
      balance,
      frozen: false,
      meta: { tags: ['a'] },
      rate: 0.1,
    });
    const entry = (account: string) => ({ id: expect.any(Number), account, amount: 5, memo: null, idem: 'r1' });
    // The second entry repeats the first's tag: skipped on conflict, so not among the rows.
    expect(await value(run('ledger', { op: 'group-rows', owner: 'rowan', inTx: true }))).toEqual([
      [account('rowan', 0)],
      [entry('rowan')],
    ]);
    expect(await value(run('ledger', { op: 'group-rows', owner: 'roisin' }))).toEqual([
      [account('roisin', 0)],
      [entry('roisin')],
    ]);
    const stored = await value(query('ledger', 'entries', ['all'], [['where', { account: 'rowan' }]]));
    // An update's rows as they are after it, a delete's as they were.
    expect(await value(run('ledger', { op: 'group-rows-change', owner: 'rowan', balance: 7 }))).toEqual([
      [account('rowan', 7)],
      stored,
    ]);
    expect(await value(query('ledger', 'entries', ['all'], [['where', { account: 'rowan' }]]))).toEqual([]);
  });

  it('refuses writeTogether options other than returnRows', async () => {
    for (const options of ['rows', { returnRows: 'yes' }, { returning: true }]) {
      const res = await run('ledger', { op: 'group-rows-options', options });
      expect(res, JSON.stringify(options)).toMatchObject({ ok: false, code: 'database_invalid_query' });
    }
    expect(await value(run('ledger', { op: 'group-rows-options', options: { returnRows: false } }))).toEqual([1]);
  });

  it('audits a group’s writes with its transaction', async () => {
    const audit = (await host.http('GET', '/v1/admin/audit?pluginId=ledger&limit=1000', { token: 'admin' })).body
      .entries;
    expect(audit.filter((e: any) => e.action === 'transaction').map((e: any) => e.target)).toContain(
      'insert:entries update:accounts',
    );
  });
});

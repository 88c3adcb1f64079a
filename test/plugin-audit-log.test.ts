/**
 * The audit log is written behind the calls it records (host/plugins/audit-log.ts): a call
 * returns once its effect is done, a query of the log answers with every entry recorded before
 * it, and an entry the database refuses does not fail the call whose effect already happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { METRICS_TOKEN, sample, scrape } from './support/metrics-helpers.js';
import {
  ALL_PERMISSIONS,
  auditOf,
  enable,
  probeManifest,
  prober,
  roomWith,
  valueOf,
} from './support/plugin-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { openDirect, testDatabaseKind, withDirect } from './support/test-database.js';

describe('the audit log', () => {
  let host: TestHost;
  let user: TestUser;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        metrics: { token: METRICS_TOKEN },
        plugins: {
          enabled: [
            enable(probeManifest('audited', { command: 'audited', permissions: ALL_PERMISSIONS }), {
              settings: { command: 'audited' },
            }),
          ],
        },
      },
    });
    user = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it("answers a query with every entry recorded before it, each plugin's in the order of its calls", async () => {
    const room = await roomWith(host, user, ['audited']);
    const call = prober(host, user, room.id, 'audited');
    for (let i = 0; i < 20; i++) valueOf(await call('storage.set', `key-${i}`, i));
    const entries = await auditOf(host, 'audited');
    expect(entries.filter((e) => e.capability === 'storage').map((e) => e.target)).toEqual(
      Array.from({ length: 20 }, (_, i) => `key-${19 - i}`),
    );
  });

  // Only PostgreSQL lets the test reach the host's tables while it runs (a SQLite host holds its file).
  it.skipIf(testDatabaseKind !== 'postgres')(
    'a call returns while its entry waits for the log, and the entry is written once it can be',
    async () => {
      const room = await roomWith(host, user, ['audited']);
      const call = prober(host, user, room.id, 'audited');
      const db = openDirect(host.database);
      const trx = await db.transaction();
      try {
        await trx.raw('lock table audit_log in exclusive mode');
        expect(valueOf(await call('storage.set', 'held-entry', 1))).toMatchObject({ version: 1 });
      } finally {
        await trx.commit();
        await db.destroy();
      }
      expect((await auditOf(host, 'audited')).map((e) => e.target)).toContain('held-entry');
    },
  );

  it.skipIf(testDatabaseKind !== 'postgres')(
    'an entry the database refuses is logged and counted, and the call it records still succeeds',
    async () => {
      const room = await roomWith(host, user, ['audited']);
      const call = prober(host, user, room.id, 'audited');
      const lost = async () => sample(await scrape(host), 'switchboard_audit_entries_lost_total') ?? 0;
      const before = await lost();
      await withDirect(host.database, (db) => db.raw('alter table audit_log rename to audit_log_away'));
      try {
        expect(valueOf(await call('storage.set', 'refused-entry', 1))).toMatchObject({ version: 1 });
        await eventually(async () => (await lost()) === before + 1, { what: 'the lost entry counted' });
      } finally {
        await withDirect(host.database, (db) => db.raw('alter table audit_log_away rename to audit_log'));
      }
      expect(valueOf(await call('storage.get', 'refused-entry'))).toMatchObject({ value: 1 });
      valueOf(await call('storage.set', 'written-entry', 2));
      const targets = (await auditOf(host, 'audited')).map((e) => e.target);
      expect(targets).toContain('written-entry');
      expect(targets).not.toContain('refused-entry');
    },
  );
});

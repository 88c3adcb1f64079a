/**
 * A "user" plugin route's token check (docs/plugins.md, "HTTP routes"): the host reuses a check
 * for at most two seconds, and one check that reads takes along the other tokens in use. A
 * revocation this host hears drops its answer at once; one it does not hear (written by a host
 * that shares the database without an event bus, here straight into the database) ends the
 * token's use once its answer is that old, whether its next check was its own or taken along.
 * PostgreSQL only: a SQLite file has one host, which hears every revocation (and holds the file's
 * write lock, so no one else can write one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentsHost, paymentsApi, type PaymentsApi } from './support/payments-helpers.js';
import { testDatabaseKind, withDirect } from './support/test-database.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';

describe.skipIf(testDatabaseKind !== 'postgres')('a plugin route’s token check', { timeout: 60_000 }, () => {
  let host: TestHost;
  let api: PaymentsApi;
  beforeAll(async () => {
    host = await startPaymentsHost();
    api = paymentsApi(host);
  });
  afterAll(() => host?.stop());

  const revokeUnheard = (user: TestUser) =>
    withDirect(host.database, (db) => db('tokens').whereIn('user_id', [user.id]).update({ revoked_at: Date.now() }));
  const balanceStatus = async (user: TestUser) => (await api.call(user, 'GET', '/balance')).status;

  it('refuses a token revoked where this host did not hear it, once its check is two seconds old', async () => {
    const user = await host.createUser();
    expect(await balanceStatus(user)).toBe(200);
    await revokeUnheard(user);
    const refused = await eventually(async () => {
      const res = await api.call(user, 'GET', '/balance');
      return res.status === 401 && res.body;
    });
    expect(refused.error.code).toBe('unauthenticated');
  });

  it('refuses a revoked token whose answer another token’s check took along, and serves that other token', async () => {
    const [kept, revoked] = await Promise.all([host.createUser(), host.createUser()]);
    expect(await balanceStatus(kept)).toBe(200);
    expect(await balanceStatus(revoked)).toBe(200);
    await revokeUnheard(revoked);
    // Only the kept token calls until the revoked one's answer is past its age: its checks are the
    // reads that take the other along.
    const started = Date.now();
    await eventually(async () => (await balanceStatus(kept)) === 200 && Date.now() - started > 2_500);
    expect(await balanceStatus(revoked)).toBe(401);
    expect(await balanceStatus(kept)).toBe(200);
  });

  it('refuses a deactivated account’s token on a route with account_deactivated', async () => {
    const user = await host.createUser();
    expect(await balanceStatus(user)).toBe(200);
    await withDirect(host.database, (db) => db('users').where({ id: user.id }).update({ deactivated_at: Date.now() }));
    const refused = await eventually(async () => {
      const res = await api.call(user, 'GET', '/balance');
      return res.status === 403 && res.body;
    });
    expect(refused.error.code).toBe('account_deactivated');
  });
});

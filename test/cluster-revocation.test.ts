/**
 * Several hosts as one, for revocations: three real host processes on one PostgreSQL database and
 * one Redis. A logout, or a token deleted by its owner, on one host closes that session's sockets
 * on the others at once (4003 session_ended, docs/protocol.md), and a plugin route on another host
 * refuses the token on its very next request, although that host had just checked the token and
 * may reuse a check for two seconds: the revocation's bus event drops the cached check. Other
 * sessions of the same user go on working everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeWithin, ping, repoRoot } from './support/e2e.js';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';
import { enable } from './support/plugin-helpers.js';
import type { TestUser } from './support/start-test-host.js';
import { ROUTES } from './fixtures/plugins/http-routes/index.js';

const routes = enable(
  {
    id: 'whoami',
    name: 'Who am I',
    version: '1.0.0',
    description: 'A test fixture with a route for signed-in users.',
    author: 'Switchboard tests',
    engine: '^1.0.0',
    runtime: 'trusted',
    entry: `${repoRoot}/test/fixtures/plugins/http-routes/index.ts`,
    permissions: { 'http.routes': {} },
    contributes: { routes: [{ method: 'GET', path: '/me', auth: 'user' }] },
  },
  { settings: { skip: ROUTES.filter((r) => r !== 'GET /me') } },
);

// Hosts sharing a database need PostgreSQL (the bus refuses SQLite).
describe.skipIf(!process.env.DATABASE_URL)('revocation on three hosts', () => {
  let cluster: Cluster;
  let a: ClusterHost, b: ClusterHost, c: ClusterHost;
  let carol: TestUser;

  beforeAll(async () => {
    cluster = await startCluster({ config: { plugins: { enabled: [routes] } } });
    [a, b, c] = cluster.hosts as [ClusterHost, ClusterHost, ClusterHost];
    carol = await a.createUser();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  const login = async (host: ClusterHost) => {
    const res = await host.http('POST', '/v1/auth/login', { body: { handle: carol.handle, password: carol.password } });
    expect(res.status).toBe(200);
    return { token: res.body.token as string, tokenId: res.body.tokenId as string };
  };
  const route = (host: ClusterHost, token: string) => host.http('GET', '/plugins/whoami/me', { token });

  /** Revokes `session` with `revoke` on host A; its sockets on B and C close, B's and C's routes refuse it at once. */
  async function expectRevokedEverywhere(revoke: (token: string, tokenId: string) => Promise<number>) {
    const [session, kept] = await Promise.all([login(a), login(a)]);
    const [onB, onC, keptOnB, keptOnC] = await Promise.all([
      b.connect(session.token),
      c.connect(session.token),
      b.connect(kept.token),
      c.connect(kept.token),
    ]);
    // B and C check the token now, so each holds a fresh cached check when the revocation comes.
    expect((await route(b, session.token)).status).toBe(200);
    expect((await route(c, session.token)).status).toBe(200);

    expect(await revoke(session.token, session.tokenId)).toBe(204);
    // A closed socket on B shows that B heard of the revocation: nothing is awaited after it.
    expect(await closeCodeWithin(onB, 10_000)).toBe(4003);
    const refused = await route(b, session.token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthenticated');
    expect(await closeCodeWithin(onC, 10_000)).toBe(4003);
    expect((await route(c, session.token)).status).toBe(401);

    // The user's other session is untouched, on every host.
    expect(await ping(keptOnB)).toBe(true);
    expect(await ping(keptOnC)).toBe(true);
    for (const host of [a, b, c]) expect((await route(host, kept.token)).status).toBe(200);
  }

  it('a logout on one host closes the sockets on the others and their routes refuse the token at once', async () => {
    await expectRevokedEverywhere(async (token) => (await a.http('POST', '/v1/auth/logout', { token })).status);
  });

  it('so does a token deleted by its owner from another session', async () => {
    const owner = await login(a);
    await expectRevokedEverywhere(
      async (_token, tokenId) => (await a.http('DELETE', `/v1/me/tokens/${tokenId}`, { token: owner.token })).status,
    );
  });
});

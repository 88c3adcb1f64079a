/**
 * Limits are cluster-wide: two real hosts on one PostgreSQL database and one Redis (bus.url)
 * count HTTP requests and login failures together, so spreading requests over the hosts does not
 * multiply anyone's budget. With Redis unreachable, each host still serves and limits on its
 * own (the memory fallback), and says so once in its log. Each run uses keys of its own (a fresh
 * prefix) on the Redis at 127.0.0.1:6379, so parallel runs share it safely.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeepPartial, HostConfig } from '../host/config/host-config.js';
import { startTestHost, randomUUID, type HttpResult, type TestHost, type TestUser } from './support/start-test-host.js';
import { freePort } from './support/e2e.js';
import { eventually } from './support/eventually.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Small limits; addresses are simulated with X-Forwarded-For (trustProxy). */
const http: DeepPartial<HostConfig['http']> = {
  trustProxy: true,
  rateLimits: { perToken: { requests: 6, windowSeconds: 60 }, perAddress: { requests: 5, windowSeconds: 60 } },
  loginLimits: {
    failuresBeforeBlock: 3,
    blockSeconds: 60,
    maxBlockSeconds: 60,
    perAccount: { failures: 4, windowSeconds: 60, blockSeconds: 60 },
  },
};

/** A 429 rate_limited with Retry-After (whole seconds) agreeing with retryAfterMs in the body. */
function expectRateLimited(res: HttpResult, maxSeconds: number): void {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  const retryAfterMs = res.body.error.retryAfterMs as number;
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(retryAfterMs).toBeLessThanOrEqual(maxSeconds * 1000);
  expect(res.headers.get('retry-after')).toBe(String(Math.ceil(retryAfterMs / 1000)));
}

const login = (host: TestHost, handle: string, password: string, address: string) =>
  host.http('POST', '/v1/auth/login', { body: { handle, password }, headers: { 'x-forwarded-for': address } });

// The bus (and so a shared Redis) refuses SQLite, one host per file: hosts sharing limits need
// PostgreSQL, so on the SQLite run this file is skipped.
describe.skipIf(!process.env.DATABASE_URL)('two hosts on one Redis share their limits', () => {
  const prefix = `test-${randomUUID()}:`;
  let a: TestHost;
  let b: TestHost;
  let ada: TestUser, bob: TestUser, carol: TestUser;

  beforeAll(async () => {
    a = await startTestHost({ config: { bus: { url: REDIS_URL, prefix }, http } });
    b = await startTestHost({ config: { bus: { url: REDIS_URL, prefix }, http }, database: a.database });
    // Both hosts reach Redis before anything is counted (before that, each would count alone).
    for (const host of [a, b])
      await eventually(async () => (await host.http('GET', '/readyz')).status === 200, { what: 'the host ready' });
    [ada, bob, carol] = [await a.createUser(), await b.createUser(), await a.createUser()];
  });

  afterAll(async () => {
    // b borrows a's database: it stops first, a then drops the database.
    await b?.stop();
    await a?.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("a token's requests spread over both hosts hit one limit, and the next one is refused on either host", async () => {
    for (let i = 0; i < 6; i++)
      expect((await (i % 2 ? b : a).http('GET', '/v1/me', { token: ada.token })).status).toBe(200);
    expectRateLimited(await a.http('GET', '/v1/me', { token: ada.token }), 60);
    expectRateLimited(await b.http('GET', '/v1/me', { token: ada.token }), 60);
    // Another token is not affected, on either host.
    expect((await b.http('GET', '/v1/me', { token: bob.token })).status).toBe(200);
  });

  it("an address's requests without a token count once across the hosts", async () => {
    const from = { 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await (i % 2 ? a : b).http('GET', '/v1/me', { headers: from })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    expectRateLimited(await a.http('GET', '/v1/me', { headers: from }), 60);
    expectRateLimited(await b.http('GET', '/v1/me', { headers: from }), 60);
  });

  it('login failures on host A block that handle and address on host B, even with the right password', async () => {
    for (let i = 0; i < 3; i++)
      expect((await login(a, bob.handle, 'wrong-password', '198.51.100.1')).body.error.code).toBe(
        'invalid_credentials',
      );
    const blocked = await login(b, bob.handle, bob.password, '198.51.100.1');
    expectRateLimited(blocked, 60);
    expect(blocked.body.token).toBeUndefined();
    // From another address the real user still logs in, on either host.
    expect((await login(b, bob.handle, bob.password, '198.51.100.2')).status).toBe(200);
  });

  it('failures spread over hosts and addresses block the handle on every host', async () => {
    for (let i = 0; i < 5; i++)
      expect((await login(i % 2 ? b : a, carol.handle, 'wrong-password', `192.0.2.${10 + i}`)).status).toBe(401);
    expectRateLimited(await login(a, carol.handle, carol.password, '192.0.2.99'), 60);
    expectRateLimited(await login(b, carol.handle, carol.password, '192.0.2.98'), 60);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('with Redis unreachable each host limits on its own', () => {
  let a: TestHost;
  let b: TestHost;
  const logged: { msg?: string; component?: string }[] = [];
  const fallbackWarnings = () =>
    logged.filter(
      (l) => l.component === 'rate-limits' && l.msg?.startsWith('rate limits and login backoff count per host'),
    );

  beforeAll(async () => {
    // Nothing listens on a port just freed: every connection to "Redis" is refused.
    const bus = { url: `redis://127.0.0.1:${await freePort()}`, prefix: `test-${randomUUID()}:` };
    const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    a = await startTestHost({ config: { bus, http }, logger });
    b = await startTestHost({ config: { bus, http }, database: a.database });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  it('requests are served and limited per host, and the fallback is logged once', async () => {
    const ada = await a.createUser();
    for (let i = 0; i < 6; i++) expect((await a.http('GET', '/v1/me', { token: ada.token })).status).toBe(200);
    expectRateLimited(await a.http('GET', '/v1/me', { token: ada.token }), 60);
    // Host B cannot see A's count: it has its own budget for the token.
    for (let i = 0; i < 6; i++) expect((await b.http('GET', '/v1/me', { token: ada.token })).status).toBe(200);
    expectRateLimited(await b.http('GET', '/v1/me', { token: ada.token }), 60);

    // Logins are guarded by the fallback too.
    for (let i = 0; i < 3; i++) expect((await login(a, ada.handle, 'wrong-password', '198.51.100.5')).status).toBe(401);
    expectRateLimited(await login(a, ada.handle, ada.password, '198.51.100.5'), 60);

    await eventually(() => fallbackWarnings().length > 0, { what: 'the fallback warning' });
    expect(fallbackWarnings()).toHaveLength(1);
  });
});

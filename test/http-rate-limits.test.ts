/**
 * HTTP request limits and login brute-force protection, on real hosts with small configured
 * limits. Different client addresses are simulated with `http.trustProxy` and X-Forwarded-For.
 * Blocks are never waited out with sleeps: the Retry-After values are asserted, and where a block
 * must end it is one second long and polled for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type HttpResult, type TestHost, type TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';

/** A 429 with Retry-After (whole seconds, rounded up) agreeing with retryAfterMs in the body. */
function expectRateLimited(res: HttpResult, maxSeconds: number): number {
  expect(res.status).toBe(429);
  expect(res.body.error.code).toBe('rate_limited');
  const retryAfterMs = res.body.error.retryAfterMs as number;
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(retryAfterMs).toBeLessThanOrEqual(maxSeconds * 1000);
  const header = res.headers.get('retry-after');
  expect(header).toMatch(/^\d+$/);
  expect(Number(header)).toBe(Math.ceil(retryAfterMs / 1000));
  return Number(header);
}

/**
 * Repeats `attempt` every 100 ms until it answers something other than 429 (a block ending),
 * within 10 s, so that attempts are also made while the block lasts.
 */
async function untilNot429(attempt: () => Promise<HttpResult>): Promise<HttpResult> {
  return eventually(
    async () => {
      const res = await attempt();
      return res.status !== 429 && res;
    },
    { intervalMs: 100, what: 'an answer other than 429' },
  );
}

describe('requests per token and per address (perToken 5, perAddress 4 per minute; no trusted proxy)', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        http: {
          rateLimits: { perToken: { requests: 5, windowSeconds: 60 }, perAddress: { requests: 4, windowSeconds: 60 } },
        },
      },
    });
    // createUser logs in without a token: those count against 127.0.0.1, so each test gets its user first.
    ada = await host.createUser();
    bob = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('the request after the limit of a token gets 429 with Retry-After; other tokens and the admin token are not affected', async () => {
    for (let i = 0; i < 5; i++) expect((await host.http('GET', '/v1/me', { token: ada.token })).status).toBe(200);
    const refused = await host.http('GET', '/v1/me', { token: ada.token });
    expect(expectRateLimited(refused, 60)).toBeGreaterThanOrEqual(1);
    expect(refused.body.error.message).toBeTruthy();
    expect((await host.http('GET', `/v1/users/${bob.id}`, { token: ada.token })).status).toBe(429);

    expect((await host.http('GET', '/v1/me', { token: bob.token })).status).toBe(200);
    for (let i = 0; i < 10; i++)
      expect((await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await host.http('GET', '/healthz')).status).toBe(200);
  });

  it('without a token requests count per socket address, and X-Forwarded-For is ignored unless trustProxy is set', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) {
      answers.push(
        (
          await host.http('POST', '/v1/auth/login', {
            body: { handle: 'nobody-at-all', password: 'x' },
            headers: { 'x-forwarded-for': `192.0.2.${i}` },
          })
        ).status,
      );
    }
    // Two logins were spent by createUser in beforeAll.
    expect(answers.slice(0, 2)).toEqual([401, 401]);
    expect(answers.slice(2)).toEqual([429, 429, 429, 429]);
    const refused = await host.http('GET', '/v1/me');
    expectRateLimited(refused, 60);
    // Invented bearer tokens from a refused address are refused before they are tried.
    expect((await host.http('GET', '/v1/me', { token: 'made-up-token' })).status).toBe(429);
  });
});

describe('requests with refused tokens count against the address (trustProxy on)', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        http: {
          trustProxy: true,
          rateLimits: {
            perToken: { requests: 100, windowSeconds: 60 },
            perAddress: { requests: 3, windowSeconds: 60 },
          },
        },
      },
    });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('a new made-up token for every request does not escape the limit', async () => {
    const from = { 'x-forwarded-for': '203.0.113.9' };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await host.http('GET', '/v1/me', { token: `guess-${i}`, headers: from })).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429]);
    // Another address is not affected.
    expect(
      (await host.http('GET', '/v1/me', { token: 'guess-x', headers: { 'x-forwarded-for': '203.0.113.10' } })).status,
    ).toBe(401);
  });
});

describe('login brute force (3 failures block a handle from an address for 1 s, doubling up to 2 s; trustProxy on)', () => {
  let host: TestHost;
  let ada: TestUser;
  const login = (user: TestUser, password: string, address: string) =>
    host.http('POST', '/v1/auth/login', {
      body: { handle: user.handle, password },
      headers: { 'x-forwarded-for': `10.0.0.1, ${address}` },
    });

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        http: {
          trustProxy: true,
          loginLimits: {
            failuresBeforeBlock: 3,
            blockSeconds: 1,
            maxBlockSeconds: 2,
            perAccount: { failures: 50, windowSeconds: 60, blockSeconds: 60 },
          },
        },
      },
    });
    ada = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('after 3 wrong passwords from one address even the right one gets 429 there until the block ends; another address logs in', async () => {
    for (let i = 0; i < 3; i++)
      expect((await login(ada, 'wrong-password', '198.51.100.1')).body.error.code).toBe('invalid_credentials');
    const blocked = await login(ada, ada.password, '198.51.100.1');
    expect(expectRateLimited(blocked, 1)).toBe(1);
    expect(blocked.body.token).toBeUndefined();
    // The real user, from elsewhere, is not locked out.
    const elsewhere = await login(ada, ada.password, '198.51.100.2');
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.token).toBeTruthy();

    // Attempts during the block are refused without counting; once it ends the right password works.
    const after = await untilNot429(() => login(ada, ada.password, '198.51.100.1'));
    expect(after.status).toBe(200);
  });

  it('the block grows with further failures (capped), and a successful login resets the count', async () => {
    const address = '198.51.100.3';
    for (let i = 0; i < 3; i++) expect((await login(ada, 'wrong-password', address)).status).toBe(401);
    expect(expectRateLimited(await login(ada, ada.password, address), 1)).toBe(1);
    // The first block ends; one more failure blocks again, now for 2 s (the cap).
    expect((await untilNot429(() => login(ada, 'wrong-password', address))).status).toBe(401);
    expect(expectRateLimited(await login(ada, ada.password, address), 2)).toBe(2);
    expect((await untilNot429(() => login(ada, ada.password, address))).status).toBe(200);

    // After that success the count starts again: 2 + 2 failures with a success between never block.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) expect((await login(ada, 'wrong-password', address)).status).toBe(401);
      expect((await login(ada, ada.password, address)).status).toBe(200);
    }
  });

  it('handles count case-insensitively and unknown handles count like known ones', async () => {
    const address = '198.51.100.4';
    const upper = { ...ada, handle: ada.handle.toUpperCase() };
    expect((await login(ada, 'wrong-password', address)).status).toBe(401);
    expect((await login(upper, 'wrong-password', address)).status).toBe(401);
    expect((await login(ada, 'wrong-password', address)).status).toBe(401);
    expectRateLimited(await login(upper, ada.password, address), 1);

    const ghost = { ...ada, handle: 'no-such-handle-here' };
    for (let i = 0; i < 3; i++) expect((await login(ghost, 'wrong-password', address)).status).toBe(401);
    expectRateLimited(await login(ghost, 'wrong-password', address), 1);
  });
});

describe('login: the looser limit per handle from any address (4 failures block the handle for 1 s)', () => {
  let host: TestHost;
  let ada: TestUser;
  const login = (password: string, address: string) =>
    host.http('POST', '/v1/auth/login', {
      body: { handle: ada.handle, password },
      headers: { 'x-forwarded-for': address },
    });

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        http: {
          trustProxy: true,
          loginLimits: { failuresBeforeBlock: 100, perAccount: { failures: 4, windowSeconds: 60, blockSeconds: 1 } },
        },
      },
    });
    ada = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('failures spread over addresses block the handle everywhere, for the capped block only', async () => {
    for (let i = 0; i < 5; i++) expect((await login('wrong-password', `192.0.2.${10 + i}`)).status).toBe(401);
    expect(expectRateLimited(await login(ada.password, '192.0.2.99'), 1)).toBe(1);
    expect((await untilNot429(() => login(ada.password, '192.0.2.99'))).status).toBe(200);
  });
});

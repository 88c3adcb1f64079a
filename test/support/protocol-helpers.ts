import { randomUUID } from 'node:crypto';
import type { TestHost, TestUser } from './start-test-host.js';
import { RequestError, type TestClient } from './test-client.js';

/** Resolves with the error body of a refused request; fails the test if the request succeeds. */
export async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (e instanceof RequestError) return e.error;
    throw e;
  }
  throw new Error('expected the request to be refused');
}

/**
 * Waits until each client's earlier frames have been handled (a ping round trip), then a moment
 * longer for fan-out to other sockets. Only for checking that nothing *more* arrives: wait for the
 * frames a test expects with collect()/next() first (eventually(), a deadline, not a guess), then
 * settle(). The 150 ms is the suites' one fixed wait: no event marks "no further frame is coming".
 */
export async function settle(...clients: TestClient[]) {
  await Promise.all(
    clients.map(async (c) => {
      const id = randomUUID();
      const pong = c.waitFor((f) => f.type === 'pong' && f.replyTo === id);
      c.sendRaw({ type: 'ping', id });
      await pong;
    }),
  );
  await quietPeriod();
}

/** The suites' one fixed wait (see settle()): only to check that nothing more arrives. */
export function quietPeriod(): Promise<void> {
  return new Promise((r) => setTimeout(r, 150));
}

/** Connects like a client without stored state: after `ready` it sends an empty `resume`, so live events flow at once. */
export async function online(host: TestHost, user: TestUser): Promise<TestClient> {
  const client = await host.connect(user.token);
  await client.request({ type: 'resume', conversations: [] });
  return client;
}

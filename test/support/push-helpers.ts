/** Shared setup for the push suites (test/push-*.test.ts). */
import { afterAll, beforeAll, expect } from 'vitest';
import { eventually } from './eventually.js';
import { METRICS_TOKEN, sample, scrape } from './metrics-helpers.js';
import { PushService, type BrowserSubscription } from './push-service.js';
import { startTestHost, type TestHost, type TestHostOptions, type TestUser } from './start-test-host.js';
import type { TestClient } from './test-client.js';

/** A host that accepts the local push service's endpoints and serves /metrics. */
export function startPushHost(options: TestHostOptions = {}): Promise<TestHost> {
  return startTestHost({
    ...options,
    config: {
      ...options.config,
      push: { allowLocalEndpoints: true, ...options.config?.push },
      metrics: { token: METRICS_TOKEN },
    },
  });
}

export interface PushSuite {
  host: TestHost;
  service: PushService;
}

/** A push service and a push host for the suite: started before its tests, stopped after them. */
export function pushSuite(options: TestHostOptions = {}): PushSuite {
  const suite = {} as PushSuite;
  beforeAll(async () => {
    suite.service = await new PushService().start();
    suite.host = await startPushHost(options);
  });
  afterAll(async () => {
    await suite.host?.stop();
    await suite.service?.stop();
  });
  return suite;
}

/** A new browser of `user`, subscribed on the host. */
export async function subscribe(host: TestHost, user: TestUser, service: PushService): Promise<BrowserSubscription> {
  const browser = service.newBrowser();
  const res = await host.http('POST', '/v1/push/subscriptions', { token: user.token, body: browser });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return browser;
}

/**
 * Waits until the host has decided about every committed message and finished every push
 * (switchboard_push_pending is 0): after it, a push that did not arrive will not arrive.
 */
export async function pushIdle(host: TestHost): Promise<void> {
  await eventually(async () => sample(await scrape(host), 'switchboard_push_pending') === 0, {
    what: 'the push queues to be empty',
  });
}

/** Waits until `watcher` (subscribed to the user's presence) sees them go offline. */
export async function wentOffline(watcher: TestClient, user: TestUser): Promise<void> {
  await watcher.next((f) => f.type === 'presence' && f.userId === user.id && f.status === 'offline');
}

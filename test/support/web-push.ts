/** Shared setup for the web client's push suites (test/web-notifications*.test.ts). */
import { afterAll, beforeAll } from 'vitest';
import type { BrowserHandle } from './browser.js';
import { METRICS_TOKEN } from './metrics-helpers.js';
import { PushService } from './push-service.js';
import type { TestHost, TestHostOptions } from './start-test-host.js';
import { chatSuite } from './web-chat.js';

export interface WebPushSuite {
  readonly host: TestHost;
  readonly browser: BrowserHandle;
  readonly service: PushService;
}

/**
 * A browser, the test's push service, and a host that accepts its endpoints and serves /metrics
 * (for pushIdle): started before the suite's tests, stopped after them. Read them inside tests.
 */
export function webPushSuite(options: TestHostOptions = {}): WebPushSuite {
  const chat = chatSuite({
    ...options,
    config: {
      ...options.config,
      push: { allowLocalEndpoints: true, ...options.config?.push },
      metrics: { token: METRICS_TOKEN },
    },
  });
  let service: PushService | undefined;
  beforeAll(async () => {
    service = await new PushService().start();
  });
  afterAll(async () => {
    await service?.stop();
  });
  return {
    get host() {
      return chat.host;
    },
    get browser() {
      return chat.browser;
    },
    get service() {
      return service!;
    },
  };
}

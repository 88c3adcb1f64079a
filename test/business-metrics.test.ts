/**
 * Business webhook deliveries on /metrics through ctx.metrics: each try by outcome (delivered,
 * retried, dead) and the time its POST took.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUSINESS_MANIFEST, businessApi, FAST_WEBHOOKS } from './support/business-helpers.js';
import { eventually } from './support/eventually.js';
import { METRICS_TOKEN, sample, scrape } from './support/metrics-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

const TRIES = 'switchboard_plugin_business_webhook_deliveries_total';
const SECONDS = 'switchboard_plugin_business_webhook_delivery_seconds';

describe('business webhook metrics', () => {
  let host: TestHost;
  let api: ReturnType<typeof businessApi>;
  let receiver: WebhookReceiver;
  let owner: TestUser;
  let businessId: string;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    host = await startTestHost({
      config: {
        metrics: { token: METRICS_TOKEN },
        plugins: {
          enabled: [
            {
              path: BUSINESS_MANIFEST,
              settings: { webhooks: FAST_WEBHOOKS },
              grants: { 'http.outbound': { hosts: ['127.0.0.1:*'] } },
            },
          ],
        },
      },
    });
    api = businessApi(host);
    owner = await host.createUser();
    businessId = await api.createBusiness(owner);
    const hook = await api.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: receiver.url });
    expect(hook.status, JSON.stringify(hook.body)).toBe(200);
  });
  afterAll(async () => {
    await host?.stop();
    await receiver?.stop();
  });

  it('counts a delivered try, and a failing delivery as retried then dead, with their latency', async () => {
    const before = await scrape(host);
    const count = (s: typeof before, outcome: string) => sample(s, TRIES, { outcome }) ?? 0;
    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    await api.customerSays(customer, thread.conversationId, 'hello');
    await receiver.waitForEvent((e) => e.type === 'message' && e.threadId === thread.threadId);
    const delivered = await eventually(
      async () => {
        const m = await scrape(host);
        return count(m, 'delivered') > count(before, 'delivered') ? m : null;
      },
      { what: 'the delivered try counted' },
    );
    expect(sample(delivered, `${SECONDS}_count`, { outcome: 'delivered' })).toBe(count(delivered, 'delivered'));
    expect(count(delivered, 'dead')).toBe(0);

    const mine = (d: { body: { events: any[] } }) =>
      d.body.events.some((e) => e.threadId === thread.threadId && e.type === 'message');
    receiver.respond = (d) => (mine(d) ? 500 : 200);
    await api.customerSays(customer, thread.conversationId, 'lost?');
    const dead = await eventually(
      async () => {
        const m = await scrape(host);
        return count(m, 'dead') === 1 ? m : null;
      },
      { timeoutMs: 15_000, what: 'the dead delivery counted' },
    );
    // maxAttempts tries: all but the last are retried.
    expect(count(dead, 'retried') - count(before, 'retried')).toBe(FAST_WEBHOOKS.maxAttempts - 1);
    expect(sample(dead, `${SECONDS}_count`, { outcome: 'retried' })).toBe(count(dead, 'retried'));
    expect(sample(dead, `${SECONDS}_count`, { outcome: 'dead' })).toBe(1);
    expect(sample(dead, `${SECONDS}_bucket`, { outcome: 'dead', le: '+Inf' })).toBe(1);
    receiver.respond = () => 200;
  });
});

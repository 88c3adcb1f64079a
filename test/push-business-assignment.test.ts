/**
 * Business chat pushes an assignment to the agent (the notifications.send capability): when
 * someone else gives them a conversation while they are away, and not when they take it themselves.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from './support/start-test-host.js';
import { pushIdle, pushSuite, subscribe } from './support/push-helpers.js';
import { BUSINESS_MANIFEST, FAST_WEBHOOKS, businessApi } from './support/business-helpers.js';
import { eventually } from './support/eventually.js';

let api: ReturnType<typeof businessApi>;
let owner: TestUser;
let agent: TestUser;
let businessId: string;

const suite = pushSuite({
  config: { plugins: { enabled: [{ path: BUSINESS_MANIFEST, settings: { webhooks: FAST_WEBHOOKS } }] } },
});

beforeAll(async () => {
  api = businessApi(suite.host);
  [owner, agent] = await Promise.all([suite.host.createUser(), suite.host.createUser()]);
  businessId = await api.createBusiness(owner, 'Acme Shoes');
  await api.addAgent(owner, businessId, agent);
});

async function newThread(): Promise<string> {
  const customer = await suite.host.createUser();
  const thread = await api.startThread(customer, businessId);
  await api.customerSays(customer, thread.conversationId, 'My shoes are the wrong size');
  await eventually(async () => (await api.thread(owner, thread.threadId)).lastCustomerMessageAt !== null);
  return thread.threadId;
}

describe('business assignment push', () => {
  it('pushes an assignment to the agent who is away, and nothing when they assign themselves', async () => {
    const browser = await subscribe(suite.host, agent, suite.service);
    const threadId = await newThread();
    const given = await api.call(owner, 'POST', `/threads/${threadId}/assignee`, { agentId: agent.id });
    expect(given.status, JSON.stringify(given.body)).toBe(200);
    const push = await suite.service.waitForPush(browser);
    expect(push.payload).toEqual({
      type: 'assignment',
      conversationId: null,
      messageId: null,
      title: 'Acme Shoes: a conversation for you',
      body: 'A customer conversation was assigned to you. Open the agent console to answer.',
      url: '/agent',
    });
    expect(suite.service.refused).toEqual([]);

    const own = await newThread();
    await api.call(agent, 'POST', `/threads/${own}/assignee`, { agentId: agent.id });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(browser)).toHaveLength(1);
  });
});

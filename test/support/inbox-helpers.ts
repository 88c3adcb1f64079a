/**
 * Shared setup for the business inbox tests: a business host with a webhook receiver, an owner
 * whose business ("Acme Shoes") has three agents in the `support` team and its webhook pointed
 * at the receiver, and a rival owner with a business of their own.
 */
import { expect } from 'vitest';
import type { TestHost, TestUser } from './start-test-host.js';
import { businessApi, startBusinessHost } from './business-helpers.js';
import { eventually } from './eventually.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface Inbox {
  host: TestHost;
  api: ReturnType<typeof businessApi>;
  receiver: WebhookReceiver;
  owner: TestUser;
  agents: TestUser[];
  rival: TestUser;
  businessId: string;
  rivalBusinessId: string;
  /** A new customer writes once; resolves with their thread once the business has seen the message. */
  newCustomerWrites(
    text?: string,
  ): Promise<{ customer: TestUser; thread: { threadId: string; conversationId: string } }>;
  stop(): Promise<void>;
}

export async function startInbox(): Promise<Inbox> {
  const receiver = await new WebhookReceiver().start();
  const host = await startBusinessHost();
  const api = businessApi(host);
  const users = await Promise.all([1, 2, 3, 4, 5].map(() => host.createUser()));
  const [owner, rival] = users as [TestUser, TestUser];
  const agents = users.slice(2);
  const businessId = await api.createBusiness(owner);
  const rivalBusinessId = await api.createBusiness(rival, 'Rival Hats');
  for (const a of agents) await api.addAgent(owner, businessId, a, 'support');
  expect((await api.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: receiver.url })).status).toBe(200);

  async function newCustomerWrites(text = 'Hello') {
    const customer = await host.createUser({ displayName: 'Sam Jones' });
    const thread = await api.startThread(customer, businessId);
    await api.customerSays(customer, thread.conversationId, text);
    await eventually(async () => (await api.thread(owner, thread.threadId)).lastCustomerMessageAt !== null);
    return { customer, thread };
  }
  return {
    host,
    api,
    receiver,
    owner,
    agents,
    rival,
    businessId,
    rivalBusinessId,
    newCustomerWrites,
    async stop() {
      await host.stop();
      await receiver.stop();
    },
  };
}

/**
 * The business inbox: isolation. Agents of another business reach none of this business's
 * conversations, notes, reports or settings, and customers see neither notes nor other
 * customers' conversations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { startInbox, type Inbox } from './support/inbox-helpers.js';

describe('business inbox: kept from other businesses', () => {
  let inbox: Inbox;
  let host: TestHost;
  let api: Inbox['api'];
  let agents: TestUser[];
  let rival: TestUser;
  let businessId: string;
  let rivalBusinessId: string;
  const newCustomerWrites = (text?: string) => inbox.newCustomerWrites(text);

  beforeAll(async () => {
    inbox = await startInbox();
    ({ host, api, agents, rival, businessId, rivalBusinessId } = inbox);
  });
  afterAll(async () => {
    await inbox?.stop();
  });

  it('keeps every conversation, note and report from agents of other businesses', async () => {
    const { customer, thread } = await newCustomerWrites();
    await api.call(agents[0]!, 'POST', `/threads/${thread.threadId}/notes`, { text: 'Refund approved internally' });
    for (const [method, path, body] of [
      ['GET', `/threads/${thread.threadId}`],
      ['POST', `/threads/${thread.threadId}/triage`, { priority: 'low' }],
      ['POST', `/threads/${thread.threadId}/control`, { action: 'take' }],
      ['GET', `/threads/${thread.threadId}/notes`],
      ['POST', `/threads/${thread.threadId}/messages`, { text: 'psst' }],
    ] as const) {
      expect((await api.call(rival, method, path, body)).body.error.code).toBe('thread_not_found');
    }
    for (const path of ['csat', 'inbox', 'agents', 'settings', 'webhook/deliveries']) {
      expect((await api.call(rival, 'GET', `/businesses/${businessId}/${path}`)).body.error.code, path).toBe(
        'not_an_agent',
      );
    }
    expect((await api.call(rival, 'GET', `/businesses/${rivalBusinessId}/inbox`)).body.threads).toEqual([]);
    // Customers see neither notes nor other customers' conversations.
    expect((await api.call(customer, 'GET', `/threads/${thread.threadId}/notes`)).body.error.code).toBe(
      'thread_not_found',
    );
    expect(JSON.stringify(await fullHistory(host.url, customer.token, thread.conversationId))).not.toContain(
      'Refund approved internally',
    );
  });
});

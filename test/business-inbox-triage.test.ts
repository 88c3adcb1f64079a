/**
 * The business inbox: triage. Agents set a priority and labels on a conversation (refusing
 * unknown priorities and malformed labels), and filter the inbox by them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from './support/start-test-host.js';
import { startInbox, type Inbox } from './support/inbox-helpers.js';

describe('business inbox: priority and labels', () => {
  let inbox: Inbox;
  let api: Inbox['api'];
  let agents: TestUser[];
  let businessId: string;
  const newCustomerWrites = (text?: string) => inbox.newCustomerWrites(text);

  beforeAll(async () => {
    inbox = await startInbox();
    ({ api, agents, businessId } = inbox);
  });
  afterAll(async () => {
    await inbox?.stop();
  });

  it('sets priority and labels, and filters the inbox by them', async () => {
    const { thread } = await newCustomerWrites();
    const triaged = await api.call(agents[0]!, 'POST', `/threads/${thread.threadId}/triage`, {
      priority: 'urgent',
      labels: ['refund', 'vip', 'refund'],
    });
    expect(triaged.body).toMatchObject({ priority: 'urgent', labels: ['refund', 'vip'] });
    expect(
      (await api.call(agents[0]!, 'POST', `/threads/${thread.threadId}/triage`, { priority: 'asap' })).body.error.code,
    ).toBe('invalid_business_request');
    expect(
      (await api.call(agents[0]!, 'POST', `/threads/${thread.threadId}/triage`, { labels: ['Has Spaces'] })).body.error
        .code,
    ).toBe('invalid_business_request');
    const byLabel = (await api.call(agents[0]!, 'GET', `/businesses/${businessId}/inbox?label=refund`)).body.threads;
    expect(byLabel.map((t: any) => t.threadId)).toEqual([thread.threadId]);
    expect(
      (await api.call(agents[0]!, 'GET', `/businesses/${businessId}/inbox?priority=urgent`)).body.threads.map(
        (t: any) => t.threadId,
      ),
    ).toEqual([thread.threadId]);
  });
});

/**
 * The business inbox: canned responses. Templates are checked when saved (unknown placeholders,
 * duplicate shortcodes), are kept from other businesses, and are filled with the conversation's
 * customer, agent and business names when an agent sends one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { startInbox, type Inbox } from './support/inbox-helpers.js';

describe('business inbox: canned responses', () => {
  let inbox: Inbox;
  let host: TestHost;
  let api: Inbox['api'];
  let owner: TestUser;
  let agents: TestUser[];
  let rival: TestUser;
  let businessId: string;
  const newCustomerWrites = (text?: string) => inbox.newCustomerWrites(text);

  beforeAll(async () => {
    inbox = await startInbox();
    ({ host, api, owner, agents, rival, businessId } = inbox);
  });
  afterAll(async () => {
    await inbox?.stop();
  });

  it("fills canned responses with the conversation's names", async () => {
    const bad = await api.call(owner, 'POST', `/businesses/${businessId}/canned`, {
      shortcode: 'hi',
      text: 'Hi {{customer.nmae}}',
    });
    expect(bad.body.error).toMatchObject({ code: 'invalid_business_request' });
    expect(bad.body.error.message).toContain('customer.nmae');
    expect(
      (
        await api.call(owner, 'POST', `/businesses/${businessId}/canned`, {
          shortcode: 'hi',
          text: 'Hi {{customer.name}}, {{agent.name}} from {{ business.name }} here.',
        })
      ).status,
    ).toBe(201);
    expect(
      (await api.call(owner, 'POST', `/businesses/${businessId}/canned`, { shortcode: 'hi', text: 'again' })).body.error
        .code,
    ).toBe('invalid_business_request');
    expect((await api.call(rival, 'GET', `/businesses/${businessId}/canned`)).body.error.code).toBe('not_an_agent');
    const { customer, thread } = await newCustomerWrites();
    const sent = await api.call(agents[0]!, 'POST', `/threads/${thread.threadId}/messages`, { canned: 'hi' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(sent.body.content.text).toBe(`Hi Sam Jones, ${agents[0]!.displayName} from Acme Shoes here.`);
    expect((await fullHistory(host.url, customer.token, thread.conversationId)).at(-1).content.text).toBe(
      sent.body.content.text,
    );
    expect(
      (await api.call(agents[0]!, 'POST', `/threads/${thread.threadId}/messages`, { canned: 'nope' })).body.error.code,
    ).toBe('invalid_business_request');
  });
});

/**
 * The business inbox: single-use opt-ins. Outside the 24-hour window the business backend can
 * send only under an opt-in token the customer granted for this conversation, and each token lets
 * one message out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';
import { startInbox, type Inbox } from './support/inbox-helpers.js';

describe('business inbox: opt-ins outside the messaging window', () => {
  let inbox: Inbox;
  let host: TestHost;
  let api: Inbox['api'];
  let receiver: WebhookReceiver;
  let owner: TestUser;
  let businessId: string;

  beforeAll(async () => {
    inbox = await startInbox();
    ({ host, api, receiver, owner, businessId } = inbox);
  });
  afterAll(async () => {
    await inbox?.stop();
  });

  it('lets a message out past the window only under a single-use opt-in the customer granted', async () => {
    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    const keyRes = await api.call(owner, 'POST', `/businesses/${businessId}/api-keys`);
    const backend = (body: object) =>
      api.call(
        null,
        'POST',
        '/api/messages',
        { threadId: thread.threadId, ...body },
        { authorization: `Bearer ${keyRes.body.key}` },
      );
    expect((await backend({ text: 'Back in stock!' })).body.error.code).toBe('outside_messaging_window');
    expect(
      (await api.call(customer, 'POST', `/threads/${thread.threadId}/optins`, { topic: 'Back In Stock' })).body.error
        .code,
    ).toBe('invalid_business_request');
    expect(
      (await api.call(customer, 'POST', `/threads/${thread.threadId}/optins`, { topic: 'back_in_stock' })).status,
    ).toBe(201);
    const { optinToken } = await receiver.waitForEvent((e) => e.type === 'optin' && e.threadId === thread.threadId);
    expect(optinToken).toMatch(/^ot_[0-9a-f]{32}$/);
    // A bad template does not spend the token.
    expect((await backend({ template: { type: 'button', text: 'x', buttons: [] }, optinToken })).body.error.code).toBe(
      'invalid_message_body',
    );
    expect((await backend({ text: 'Back in stock!', optinToken })).status).toBe(201);
    expect((await backend({ text: 'And again!', optinToken })).body.error.code).toBe('invalid_optin_token');
    // Another conversation's token does not open this one.
    const other = await host.createUser();
    const otherThread = await api.startThread(other, businessId);
    await api.call(other, 'POST', `/threads/${otherThread.threadId}/optins`, { topic: 'news' });
    const foreign = (await receiver.waitForEvent((e) => e.type === 'optin' && e.threadId === otherThread.threadId))
      .optinToken;
    expect((await backend({ text: 'Hi', optinToken: foreign })).body.error.code).toBe('invalid_optin_token');
    expect(
      (await fullHistory(host.url, customer.token, thread.conversationId)).filter(
        (m) => m.content?.text?.startsWith('Back in stock') || m.content?.text === 'And again!',
      ),
    ).toHaveLength(1);
  });
});

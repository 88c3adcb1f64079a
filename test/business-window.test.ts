/**
 * The 24-hour window, by the clock: a customer's message opens it for free-form business
 * messages from the moment it is acknowledged; a day later it is closed to all but tagged
 * updates (the conversation's messages, and the thread's record of the last one, are moved
 * back in the database while the host is stopped); the customer's next message opens it again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { openDirect } from './support/payments-helpers.js';
import { businessApi, startBusinessHost } from './support/business-helpers.js';
import { eventually } from './support/eventually.js';

describe('business chat: the 24-hour window', () => {
  let database: TestDatabase;
  let host: TestHost;
  let owner: TestUser;
  let customer: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase();
    host = await startBusinessHost({ database });
    [owner, customer] = await Promise.all([host.createUser(), host.createUser()]);
  });
  afterAll(async () => {
    await host?.stopHostOnly();
    await database?.drop();
  });

  it("is open as soon as the customer's message is acknowledged", async () => {
    // The plugin hears of customer messages after the commit; a reply sent the moment the
    // customer's client has its ack must not be refused because that has not happened yet.
    const api = businessApi(host);
    const businessId = await api.createBusiness(owner, 'Quick Replies');
    const customers = await Promise.all(Array.from({ length: 20 }, () => host.createUser()));
    for (const [i, someone] of customers.entries()) {
      const thread = await api.startThread(someone, businessId);
      const socket = await host.connect(someone.token);
      await socket.sendText(thread.conversationId, `Hello ${i}`);
      const reply = await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, { text: `Hi ${i}!` });
      expect(reply.status, `try ${i}: ${JSON.stringify(reply.body)}`).toBe(201);
      await socket.close();
    }
  });

  it('says so when the customer has not written at all', async () => {
    const api = businessApi(host);
    const businessId = await api.createBusiness(owner, 'Silent Customers');
    const someone = await host.createUser();
    const thread = await api.startThread(someone, businessId);
    const refused = await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, { text: 'Hello?' });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'outside_messaging_window',
      details: { lastCustomerMessageAt: null },
    });
    expect(refused.body.error.message).toMatch(/has not written/);
    expect(refused.body.error.message).not.toMatch(/24 hours old/);
  });

  it('closes 24 hours after the customer last wrote, to all but tagged updates, and opens at their next message', async () => {
    let api = businessApi(host);
    const businessId = await api.createBusiness(owner);
    const thread = await api.startThread(customer, businessId);
    await api.customerSays(customer, thread.conversationId, 'Is my order on its way?');
    await eventually(async () => (await api.thread(owner, thread.threadId)).lastCustomerMessageAt !== null);
    expect(
      (await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, { text: 'Yes, tomorrow.' })).status,
    ).toBe(201);

    // A day and a minute pass.
    await host.stopHostOnly();
    const direct = openDirect(database);
    const aDayAgo = Date.now() - 24 * 3600_000 - 60_000;
    expect(
      await direct('p_business__threads').where({ id: thread.threadId }).update({ last_customer_at: aDayAgo }),
    ).toBe(1);
    // The conversation's messages are the source of truth: they move back too.
    expect(
      await direct('messages').where({ conversation_id: thread.conversationId }).update({ created_at: aDayAgo }),
    ).toBeGreaterThanOrEqual(2);
    await direct.destroy();
    host = await startBusinessHost({ database });
    api = businessApi(host);

    const late = await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, { text: 'Still there?' });
    expect(late.status).toBe(403);
    expect(late.body.error).toMatchObject({
      code: 'outside_messaging_window',
      details: { lastCustomerMessageAt: new Date(aDayAgo).toISOString() },
    });
    expect(
      (
        await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, {
          text: 'Delivered.',
          tag: 'account_update',
        })
      ).status,
    ).toBe(201);
    await api.customerSays(customer, thread.conversationId, 'Thanks!');
    await eventually(
      async () =>
        (await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, { text: 'You are welcome.' })).status ===
        201,
      { timeoutMs: 5_000, what: 'the window reopening' },
    );
  });
});

/**
 * The 24-hour window, by the clock: a customer's message opens it for free-form business
 * messages; a day later it is closed to all but tagged updates (the conversation's last customer
 * message is moved back in the database while the host is stopped); the customer's next message
 * opens it again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { openDirect } from './support/payments-helpers.js';
import { businessApi, eventually, startBusinessHost } from './support/business-helpers.js';

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

  it('closes 24 hours after the customer last wrote, to all but tagged updates, and opens at their next message', async () => {
    let api = businessApi(host);
    const businessId = await api.createBusiness(owner);
    const thread = await api.startThread(customer, businessId);
    await api.customerSays(customer, thread.conversationId, 'Is my order on its way?');
    await eventually(async () => (await api.thread(owner, thread.threadId)).lastCustomerMessageAt !== null);
    expect((await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, { text: 'Yes, tomorrow.' })).status).toBe(201);

    // A day and a minute pass.
    await host.stopHostOnly();
    const direct = openDirect(database);
    const aDayAgo = Date.now() - 24 * 3600_000 - 60_000;
    expect(await direct('p_business__threads').where({ id: thread.threadId }).update({ last_customer_at: aDayAgo })).toBe(1);
    await direct.destroy();
    host = await startBusinessHost({ database });
    api = businessApi(host);

    const late = await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, { text: 'Still there?' });
    expect(late.status).toBe(403);
    expect(late.body.error).toMatchObject({ code: 'outside_messaging_window', details: { lastCustomerMessageAt: new Date(aDayAgo).toISOString() } });
    expect((await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, { text: 'Delivered.', tag: 'account_update' })).status).toBe(201);
    await api.customerSays(customer, thread.conversationId, 'Thanks!');
    await eventually(async () => (await api.call(owner, 'POST', `/threads/${thread.threadId}/messages`, { text: 'You are welcome.' })).status === 201, 5_000, 'the window reopening');
  });
});

/**
 * The business plugin looks up users that requests name (a business's owner, an agent, a bot by
 * its plugin id). Only "no such user" refuses the request as naming nobody; any other failure,
 * here the operator refusing the plugin users.read, is the plugin's failure (plugin_failed, in its
 * log) instead of being disguised as a request naming a missing user or bot.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { businessApi, startBusinessHost, supportBot } from './support/business-helpers.js';
import { createTestDatabase } from './support/test-database.js';

describe('business chat: user lookups', () => {
  it('calls a user or bot missing only when it is, and passes any other failure through', async () => {
    const database = await createTestDatabase();
    let host = await startBusinessHost({ database, bots: [supportBot()] });
    try {
      let api = businessApi(host);
      const [owner, agent] = await Promise.all([host.createUser(), host.createUser()]);
      const businessId = await api.createBusiness(owner);
      expect(
        (await api.call(owner, 'POST', `/businesses/${businessId}/agents`, { userId: randomUUID() })).body.error,
      ).toMatchObject({ code: 'invalid_business_request' });
      expect(
        (await api.call(owner, 'PUT', `/businesses/${businessId}/bot`, { pluginId: 'no-such-bot' })).body.error,
      ).toMatchObject({ code: 'bot_unreachable' });
      expect(
        (await api.call('admin', 'POST', '/admin/businesses', { name: 'Nobody Ltd', ownerId: randomUUID() })).body
          .error,
      ).toMatchObject({ code: 'invalid_business_request' });

      await host.stopHostOnly();
      host = await startBusinessHost({
        database,
        bots: [supportBot()],
        grants: { 'http.outbound': { hosts: ['127.0.0.1:*'] }, 'users.read': false },
      });
      api = businessApi(host);
      expect(
        (await api.call(owner, 'POST', `/businesses/${businessId}/agents`, { userId: agent.id })).body.error,
      ).toMatchObject({ code: 'plugin_failed' });
      expect(
        (await api.call(owner, 'PUT', `/businesses/${businessId}/bot`, { pluginId: 'support-bot' })).body.error,
      ).toMatchObject({ code: 'plugin_failed' });
      expect(
        (await api.call('admin', 'POST', '/admin/businesses', { name: 'Acme Hats', ownerId: owner.id })).body.error,
      ).toMatchObject({ code: 'plugin_failed' });
    } finally {
      await host.stopHostOnly();
      await database.drop();
    }
  });
});

describe('business chat: which business a conversation is with', () => {
  it('tells the customer, and no one else, which business their conversation is with', async () => {
    const host = await startBusinessHost({ bots: [supportBot()] });
    try {
      const api = businessApi(host);
      const [owner, customer, stranger] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
      const businessId = await api.createBusiness(owner);
      const thread = await api.startThread(customer, businessId);
      const lookup = (who: typeof customer, conversationId: string) =>
        api.call(who, 'GET', `/conversations/${conversationId}/thread`);

      const mine = await lookup(customer, thread.conversationId);
      expect(mine.status).toBe(200);
      expect(mine.body).toEqual({ threadId: thread.threadId, businessId, conversationId: thread.conversationId });
      // To anyone else, and for a conversation with no business, there is no such thread.
      expect((await lookup(stranger, thread.conversationId)).body.error).toMatchObject({ code: 'thread_not_found' });
      const plain = await host.createGroup(customer, [stranger], 'Friends');
      expect((await lookup(customer, plain.id)).body.error).toMatchObject({ code: 'thread_not_found' });
      expect((await lookup(customer, 'not-an-id')).body.error).toMatchObject({ code: 'thread_not_found' });
    } finally {
      await host.stop();
    }
  });
});

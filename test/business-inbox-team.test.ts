/**
 * The business inbox: the team. Agents read a conversation's messages, and admins add, change and
 * remove agents, never losing the last admin (not even when two step down at once).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { startInbox, type Inbox } from './support/inbox-helpers.js';

describe('business inbox: reading conversations and managing the team', () => {
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

  it('lets agents read a conversation, and admins manage the team without losing the last admin', async () => {
    const { thread } = await newCustomerWrites('Where is my parcel?');
    const history = await api.call(agents[1]!, 'GET', `/threads/${thread.threadId}/messages?limit=50`);
    expect(history.body.messages.map((m: any) => m.content?.text)).toContain('Where is my parcel?');
    expect((await api.call(agents[1]!, 'GET', `/threads/${thread.threadId}/messages?limit=-1`)).body.error.code).toBe(
      'invalid_business_request',
    );
    expect((await api.call(rival, 'GET', `/threads/${thread.threadId}/messages`)).body.error.code).toBe(
      'thread_not_found',
    );

    const temp = await host.createUser();
    expect(
      (
        await api.call(owner, 'POST', `/businesses/${businessId}/agents`, {
          userId: temp.id,
          role: 'admin',
          team: 'billing',
        })
      ).status,
    ).toBe(201);
    // Adding again changes only what is named: the team, not the role.
    const again = await api.call(owner, 'POST', `/businesses/${businessId}/agents`, {
      userId: temp.id,
      team: 'support',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ role: 'admin', team: 'support' });
    expect(
      (await api.call(owner, 'POST', `/businesses/${businessId}/agents`, { userId: temp.id, role: 'boss' })).body.error
        .code,
    ).toBe('invalid_business_request');
    await api.call(owner, 'POST', `/threads/${thread.threadId}/assignee`, { agentId: temp.id });
    expect((await api.call(temp, 'DELETE', `/businesses/${businessId}/agents/${temp.id}`)).body).toEqual({
      removed: true,
    });
    expect((await api.thread(owner, thread.threadId)).assignee).toBeNull();
    expect((await api.call(temp, 'GET', `/businesses/${businessId}/inbox`)).body.error.code).toBe('not_an_agent');
    // The owner is now the only admin: they can be neither demoted nor removed.
    expect(
      (await api.call(owner, 'POST', `/businesses/${businessId}/agents`, { userId: owner.id, role: 'agent' })).body
        .error.code,
    ).toBe('invalid_business_request');
    expect((await api.call(owner, 'DELETE', `/businesses/${businessId}/agents/${owner.id}`)).body.error.code).toBe(
      'invalid_business_request',
    );
    // Two admins stepping down at the same moment: one wins, and the last-admin rule (checked under
    // the admins' row locks) refuses the other, which stays admin.
    const second = await host.createUser();
    await api.call(owner, 'POST', `/businesses/${businessId}/agents`, { userId: second.id, role: 'admin' });
    const both = await Promise.all([
      api.call(owner, 'POST', `/businesses/${businessId}/agents`, { userId: owner.id, role: 'agent' }),
      api.call(second, 'POST', `/businesses/${businessId}/agents`, { userId: second.id, role: 'agent' }),
    ]);
    expect(both.filter((r) => r.status === 200)).toHaveLength(1);
    expect(both.filter((r) => r.status !== 200).map((r) => r.body.error.code)).toEqual(['invalid_business_request']);
    const admins = (await api.call(agents[0]!, 'GET', `/businesses/${businessId}/agents`)).body.agents.filter(
      (a: any) => a.role === 'admin',
    );
    expect(admins).toHaveLength(1);
    // The one who stepped down is no admin any more.
    const demoted = admins[0].userId === owner.id ? second : owner;
    expect(
      (await api.call(demoted, 'POST', `/businesses/${businessId}/agents`, { userId: admins[0].userId, role: 'agent' }))
        .body.error.code,
    ).toBe('not_business_admin');
    // Put the owner back in charge for the tests after this one.
    const admin = admins[0].userId === owner.id ? owner : second;
    if (admin !== owner)
      await api.call(second, 'POST', `/businesses/${businessId}/agents`, { userId: owner.id, role: 'admin' });
  });
});

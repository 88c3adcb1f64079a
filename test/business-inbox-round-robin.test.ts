/**
 * The business inbox: round-robin assignment. Conversations go fairly, one after the other, to
 * the online and available agents of the team, never to an offline or away one; with nobody left a
 * conversation waits unassigned until an agent comes online and the customer writes again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from './support/test-client.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';
import { startInbox, type Inbox } from './support/inbox-helpers.js';
import { openDirect, testDatabaseKind } from './support/test-database.js';

describe('business inbox: round-robin assignment', () => {
  let inbox: Inbox;
  let host: TestHost;
  let api: Inbox['api'];
  let receiver: WebhookReceiver;
  let owner: TestUser;
  let agents: TestUser[];
  let businessId: string;
  const sockets = new Map<string, TestClient>();
  const newCustomerWrites = (text?: string) => inbox.newCustomerWrites(text);

  const online = async (user: TestUser) => {
    sockets.set(user.id, await host.connect(user.token));
    await eventually(
      async () =>
        (await api.call(owner, 'GET', `/businesses/${businessId}/agents`)).body.agents.find(
          (a: any) => a.userId === user.id,
        )?.online,
    );
  };
  const offline = async (user: TestUser) => {
    await sockets.get(user.id)!.close();
    sockets.delete(user.id);
    await eventually(
      async () =>
        (await api.call(owner, 'GET', `/businesses/${businessId}/agents`)).body.agents.find(
          (a: any) => a.userId === user.id,
        )?.online === false,
    );
  };
  /** Exactly these agents online, the others offline; round-robin routing to the team. */
  const onlyOnline = async (...wanted: TestUser[]) => {
    for (const agent of agents) {
      if (wanted.includes(agent) && !sockets.has(agent.id)) await online(agent);
      if (!wanted.includes(agent) && sockets.has(agent.id)) await offline(agent);
    }
    await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
      routing: { mode: 'round_robin', team: 'support' },
    });
  };
  const assigneeOf = (threadId: string) =>
    eventually(async () => (await api.thread(owner, threadId)).assignee as string | null, {
      timeoutMs: 5_000,
      what: 'an assignment',
    });

  beforeAll(async () => {
    inbox = await startInbox();
    ({ host, api, receiver, owner, agents, businessId } = inbox);
  });
  afterAll(async () => {
    await inbox?.stop();
  });

  it('assigns round-robin among the online agents of the team, fairly, and never to an offline one', async () => {
    const [a, b, c] = agents as [TestUser, TestUser, TestUser];
    expect(
      (
        await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
          routing: { mode: 'round_robin', team: 'support' },
        })
      ).body.routing,
    ).toEqual({ mode: 'round_robin', team: 'support' });
    await online(a);
    await online(b);
    // c is offline throughout this part.
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(await assigneeOf((await newCustomerWrites()).thread.threadId));
    expect(got.filter((id) => id === a.id)).toHaveLength(3);
    expect(got.filter((id) => id === b.id)).toHaveLength(3);
    expect(got).not.toContain(c.id);
    // Each one in turn: no agent gets two in a row while the other waits.
    for (let i = 1; i < got.length; i++) expect(got[i]).not.toBe(got[i - 1]);

    // Many at once still share evenly.
    const customers = await Promise.all(Array.from({ length: 10 }, () => host.createUser()));
    const threads = await Promise.all(customers.map((cu) => api.startThread(cu, businessId)));
    await Promise.all(customers.map((cu, i) => api.customerSays(cu, threads[i]!.conversationId, 'all at once')));
    const burst = await Promise.all(threads.map((t) => assigneeOf(t.threadId)));
    const forA = burst.filter((id) => id === a.id).length;
    expect(forA + burst.filter((id) => id === b.id).length).toBe(10);
    expect(Math.abs(forA - 5)).toBeLessThanOrEqual(1);

    // b goes offline, and a marks themselves away: nobody is left, so the conversation waits unassigned...
    await offline(b);
    expect(
      (await api.call(a, 'POST', `/businesses/${businessId}/availability`, { available: false })).body.available,
    ).toBe(false);
    const waiting = await newCustomerWrites();
    // The plugin tries the assignment before it sends the message's `message` event, so once that
    // event is here, an assignment would have been made.
    await receiver.waitForEvent((e) => e.type === 'message' && e.threadId === waiting.thread.threadId);
    expect((await api.thread(owner, waiting.thread.threadId)).assignee).toBeNull();
    expect(receiver.events('assigned').filter((e) => e.threadId === waiting.thread.threadId)).toEqual([]);
    expect(
      (await api.call(owner, 'GET', `/businesses/${businessId}/inbox?assignee=none`)).body.threads.map(
        (t: any) => t.threadId,
      ),
    ).toContain(waiting.thread.threadId);
    // ...until c comes online and the customer writes again.
    await online(c);
    await api.customerSays(waiting.customer, waiting.thread.conversationId, 'anyone?');
    expect(await assigneeOf(waiting.thread.threadId)).toBe(c.id);
    expect(
      await receiver.waitForEvent((e) => e.type === 'assigned' && e.threadId === waiting.thread.threadId),
    ).toMatchObject({ assignee: c.id, by: 'round_robin' });
    expect((await api.call('admin', 'GET', '/admin/stats')).body.assignment.count).toBeGreaterThanOrEqual(17);
    await api.call(a, 'POST', `/businesses/${businessId}/availability`, { available: true });
    await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, { routing: { mode: 'manual' } });
  });

  it("spends one agent's turn on a conversation whose customer writes twice at once", async () => {
    const [a, , c] = agents as [TestUser, TestUser, TestUser];
    await onlyOnline(a, c);
    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    await Promise.all([
      api.customerSays(customer, thread.conversationId, 'hi'),
      api.customerSays(customer, thread.conversationId, 'I need help with my order'),
    ]);
    const first = await assigneeOf(thread.threadId);
    // Had the second message spent the other agent's turn, the next conversation would go to the
    // same agent again.
    const next = await assigneeOf((await newCustomerWrites()).thread.threadId);
    expect([first, next].sort()).toEqual([a.id, c.id].sort());
  });

  // Hosts whose clocks differ share a database only on PostgreSQL (and this host holds SQLite's lock).
  it.skipIf(testDatabaseKind === 'sqlite')(
    'keeps turns going round after another host, its clock a minute ahead, gave an agent a conversation',
    async () => {
      const [a, , c] = agents as [TestUser, TestUser, TestUser];
      await onlyOnline(a, c);
      const db = openDirect(host.database);
      try {
        await db('p_business__agents')
          .where({ business_id: businessId, user_id: a.id })
          .update({ last_assigned_at: Date.now() + 60_000 });
      } finally {
        await db.destroy();
      }
      // Seen at once on this host (its snapshot of the team is dropped by any change to the team).
      await api.call(a, 'POST', `/businesses/${businessId}/availability`, { available: true });
      const got: string[] = [];
      for (let i = 0; i < 4; i++) got.push(await assigneeOf((await newCustomerWrites()).thread.threadId));
      expect(got).toEqual([c.id, a.id, c.id, a.id]);
    },
  );
});

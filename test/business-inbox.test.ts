/**
 * The business inbox: round-robin assignment (fair, online and available agents only), priority
 * and labels, canned responses, business hours with the away reply, single-use opt-ins outside
 * the 24-hour window, and agents kept to their own business.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from './support/test-client.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { botOf } from './support/plugin-helpers.js';
import { fullHistory } from './support/e2e.js';
import { businessApi, startBusinessHost } from './support/business-helpers.js';
import { eventually } from './support/eventually.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

describe('business chat: the inbox', () => {
  let host: TestHost;
  let api: ReturnType<typeof businessApi>;
  let receiver: WebhookReceiver;
  let owner: TestUser;
  let agents: TestUser[];
  let rival: TestUser;
  let businessId: string;
  let rivalBusinessId: string;
  const sockets = new Map<string, TestClient>();

  /** A new customer writes once; resolves with their thread once the business has seen the message. */
  async function newCustomerWrites(text = 'Hello') {
    const customer = await host.createUser({ displayName: 'Sam Jones' });
    const thread = await api.startThread(customer, businessId);
    await api.customerSays(customer, thread.conversationId, text);
    await eventually(async () => (await api.thread(owner, thread.threadId)).lastCustomerMessageAt !== null);
    return { customer, thread };
  }
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
  /**
   * The customer writes once more and the business's webhook gets that message's `message` event.
   * Called once the earlier messages' own `message` events are here: all that was left of their
   * follow-up then (the away-reply decision, one conditional update) is a small part of the work
   * this later message went through (stored, handed to the plugin, written, its event stored and
   * delivered), so a positive signal that those decisions have been made, not a guessed pause.
   */
  async function afterLaterMessage(customer: TestUser, thread: { threadId: string; conversationId: string }) {
    const text = `later ${Date.now()}-${Math.random()}`;
    await api.customerSays(customer, thread.conversationId, text);
    await receiver.waitForEvent(
      (e) => e.type === 'message' && e.threadId === thread.threadId && e.message?.content?.text === text,
    );
  }
  const assigneeOf = (threadId: string) =>
    eventually(async () => (await api.thread(owner, threadId)).assignee as string | null, {
      timeoutMs: 5_000,
      what: 'an assignment',
    });

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    host = await startBusinessHost();
    api = businessApi(host);
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => host.createUser()));
    [owner, rival] = users as [TestUser, TestUser];
    agents = users.slice(2);
    businessId = await api.createBusiness(owner);
    rivalBusinessId = await api.createBusiness(rival, 'Rival Hats');
    for (const a of agents) await api.addAgent(owner, businessId, a, 'support');
    expect((await api.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: receiver.url })).status).toBe(200);
  });
  afterAll(async () => {
    await host?.stop();
    await receiver?.stop();
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

  it('answers outside business hours with the away message, once per conversation per day', async () => {
    const businessBot = await botOf(host, 'business');
    const today = new Date()
      .toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' })
      .toLowerCase()
      .slice(0, 3);
    const otherDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].find((d) => d !== today)!;
    const closed = await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
      hours: { timezone: 'UTC', weekly: { [otherDay]: [['09:00', '17:00']] } },
      awayMessage: 'We are closed; we answer from 9:00.',
    });
    expect(closed.body.openNow).toBe(false);
    expect(
      (
        await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
          hours: { timezone: 'Mars/Olympus', weekly: {} },
        })
      ).body.error.code,
    ).toBe('invalid_business_request');
    expect(
      (
        await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
          hours: { timezone: 'UTC', weekly: { mon: [['17:00', '09:00']] } },
        })
      ).body.error.code,
    ).toBe('invalid_business_request');
    const { customer, thread } = await newCustomerWrites('first');
    await api.customerSays(customer, thread.conversationId, 'second');
    await api.customerSays(customer, thread.conversationId, 'third');
    const awayReplies = async (c: TestUser, conversationId: string, text?: string) =>
      (await fullHistory(host.url, c.token, conversationId)).filter(
        (m) =>
          m.senderId === businessBot && (text === undefined ? m.content?.type === 'text' : m.content?.text === text),
      );
    await eventually(
      async () =>
        (await awayReplies(customer, thread.conversationId, 'We are closed; we answer from 9:00.')).length > 0,
      { timeoutMs: 10_000, what: 'the away reply' },
    );
    // Every message has had its follow-up (the plugin sends the `message` event and then decides
    // on the away reply)...
    for (const text of ['first', 'second', 'third'])
      await receiver.waitForEvent(
        (e) => e.type === 'message' && e.threadId === thread.threadId && e.message.content.text === text,
      );
    // ...and a later one has been through all of it too, so the decisions for the three are made.
    await afterLaterMessage(customer, thread);
    expect(await awayReplies(customer, thread.conversationId, 'We are closed; we answer from 9:00.')).toHaveLength(1);
    // Open all week: no away reply.
    const all = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
    );
    expect(
      (
        await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
          hours: { timezone: 'Asia/Tokyo', weekly: all },
        })
      ).body.openNow,
    ).toBe(true);
    const open = await newCustomerWrites('open?');
    await receiver.waitForEvent(
      (e) => e.type === 'message' && e.threadId === open.thread.threadId && e.message.content.text === 'open?',
    );
    await afterLaterMessage(open.customer, open.thread);
    expect(await awayReplies(open.customer, open.thread.conversationId)).toHaveLength(0);
    await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, { hours: null, awayMessage: null });
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

/**
 * Business chat, first part: businesses with agents and API keys, one conversation per customer,
 * the inbox and its statuses, the 24-hour messaging window, and agents kept to their business.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory, repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';

describe('business chat', () => {
  let host: TestHost;
  let owner: TestUser;
  let agent: TestUser;
  let customer: TestUser;
  let rival: TestUser;
  let shopId: string;
  let otherId: string;
  const call = (
    user: TestUser | 'admin' | null,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) =>
    host.http(method, `/plugins/business${path}`, {
      ...(user ? { token: user === 'admin' ? 'admin' : user.token } : {}),
      ...(body !== undefined ? { body } : {}),
      ...(headers ? { headers } : {}),
    });

  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled: [{ path: `${repoRoot}/manifests/business.json` }] } } });
    [owner, agent, customer, rival] = await Promise.all([
      host.createUser(),
      host.createUser(),
      host.createUser(),
      host.createUser(),
    ]);
    const shop = await call('admin', 'POST', '/admin/businesses', {
      name: 'Acme Shoes',
      about: 'Shoes.',
      ownerId: owner.id,
    });
    expect(shop.status, JSON.stringify(shop.body)).toBe(201);
    shopId = shop.body.id;
    otherId = (await call('admin', 'POST', '/admin/businesses', { name: 'Rival Hats', ownerId: rival.id })).body.id;
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('shows a business profile, verified by the operator only', async () => {
    expect((await call(customer, 'GET', `/businesses/${shopId}`)).body).toEqual({
      id: shopId,
      name: 'Acme Shoes',
      about: 'Shoes.',
      verified: false,
      openNow: true,
      hours: null,
      menu: [{ id: 'handover:human', label: 'Talk to a person' }],
      hasBot: false,
    });
    expect((await call(owner, 'POST', `/admin/businesses/${shopId}/verified`, { verified: true })).status).toBe(403);
    expect(
      (await call('admin', 'POST', `/admin/businesses/${shopId}/verified`, { verified: true })).body.verified,
    ).toBe(true);
    expect((await call(customer, 'GET', `/businesses/${randomUUID()}`)).body.error.code).toBe('business_not_found');
  });

  it('lets a customer open one conversation with the business, with the business bot in it', async () => {
    const first = await call(customer, 'POST', `/businesses/${shopId}/conversations`);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ businessId: shopId, customerId: customer.id, status: 'open' });
    const again = await call(customer, 'POST', `/businesses/${shopId}/conversations`);
    expect(again.body.threadId).toBe(first.body.threadId);
    const members = (
      await host.http('GET', `/v1/conversations/${first.body.conversationId}/members`, { token: customer.token })
    ).body.members;
    expect(members.map((m: any) => m.userId)).toContain(customer.id);
    expect(members).toHaveLength(2);
  });

  it('gives agents the inbox and keeps everyone else out', async () => {
    expect((await call(agent, 'GET', `/businesses/${shopId}/inbox`)).body.error.code).toBe('not_an_agent');
    expect((await call(agent, 'POST', `/businesses/${shopId}/agents`, { userId: agent.id })).status).toBe(403);
    expect(
      (await call(owner, 'POST', `/businesses/${shopId}/agents`, { userId: agent.id, team: 'support' })).status,
    ).toBe(201);
    const inbox = (await call(agent, 'GET', `/businesses/${shopId}/inbox`)).body.threads;
    expect(inbox.map((t: any) => t.customerId)).toEqual([customer.id]);
    // An agent of another business sees none of it.
    expect((await call(rival, 'GET', `/businesses/${shopId}/inbox`)).body.error.code).toBe('not_an_agent');
    expect(
      (await call(rival, 'POST', `/threads/${inbox[0].threadId}/status`, { status: 'resolved' })).body.error.code,
    ).toBe('thread_not_found');
    expect(
      (await call(rival, 'POST', `/threads/${inbox[0].threadId}/messages`, { text: 'psst', tag: 'order_update' })).body
        .error.code,
    ).toBe('thread_not_found');
    expect((await call(agent, 'GET', `/businesses/${shopId}/inbox?status=bogus`)).body.error.code).toBe(
      'invalid_business_request',
    );
  });

  it('authenticates the backend with a rotatable API key, stored only as a hash', async () => {
    const thread = (await call(customer, 'POST', `/businesses/${shopId}/conversations`)).body;
    const first = await call(owner, 'POST', `/businesses/${shopId}/api-keys`);
    expect(first.body.key).toMatch(/^bk_[0-9a-f]{64}$/);
    const send = (key: string, body: object) =>
      call(null, 'POST', '/api/messages', { threadId: thread.threadId, ...body }, { authorization: `Bearer ${key}` });
    expect((await send(first.body.key, { text: 'Your order shipped', tag: 'order_update' })).status).toBe(201);
    const second = await call(owner, 'POST', `/businesses/${shopId}/api-keys`);
    expect((await call(owner, 'POST', `/businesses/${shopId}/api-keys/${first.body.keyId}/revoke`)).body.revoked).toBe(
      true,
    );
    expect((await send(first.body.key, { text: 'old key', tag: 'order_update' })).body.error.code).toBe(
      'invalid_api_key',
    );
    expect((await send(second.body.key, { text: 'new key', tag: 'order_update' })).status).toBe(201);
    expect((await send(`bk_${'0'.repeat(64)}`, { text: 'forged', tag: 'order_update' })).status).toBe(401);
    const keys = (await call(owner, 'GET', `/businesses/${shopId}/api-keys`)).body.keys;
    expect(JSON.stringify(keys)).not.toContain(first.body.key);
    expect(keys.map((k: any) => k.revokedAt === null)).toEqual([false, true]);
    // The rival's key cannot reach this business's customers.
    const rivalKey = (await call(rival, 'POST', `/businesses/${otherId}/api-keys`)).body.key;
    expect((await send(rivalKey, { text: 'hi', tag: 'order_update' })).body.error.code).toBe('thread_not_found');
    const texts = (await fullHistory(host.url, customer.token, thread.conversationId)).map((m) => m.content.text);
    expect(texts).toEqual(expect.arrayContaining(['Your order shipped', 'new key']));
    expect(texts).not.toContain('old key');
  });

  it('holds free-form messages to 24 hours after the customer last wrote; tagged updates go out anyway', async () => {
    const shopper = await host.createUser();
    const thread = (await call(shopper, 'POST', `/businesses/${shopId}/conversations`)).body;
    const outside = await call(agent, 'POST', `/threads/${thread.threadId}/messages`, { text: 'Any news?' });
    expect(outside.status).toBe(403);
    expect(outside.body.error).toMatchObject({
      code: 'outside_messaging_window',
      details: { lastCustomerMessageAt: null },
    });
    expect(
      (await call(agent, 'POST', `/threads/${thread.threadId}/messages`, { text: 'Deal!', tag: 'promo' })).body.error
        .code,
    ).toBe('invalid_business_request');
    expect(
      (
        await call(agent, 'POST', `/threads/${thread.threadId}/messages`, {
          text: 'Your order shipped',
          tag: 'order_update',
        })
      ).status,
    ).toBe(201);
    await host.http('POST', `/v1/conversations/${thread.conversationId}/messages`, {
      token: shopper.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text: 'Where is my order?' } },
    });
    await eventually(
      async () =>
        (await call(agent, 'POST', `/threads/${thread.threadId}/messages`, { text: 'On its way!' })).status === 201,
      { timeoutMs: 5_000, what: 'the window opening' },
    );
  });

  it('reopens a resolved conversation when the customer writes again', async () => {
    const thread = (await call(customer, 'POST', `/businesses/${shopId}/conversations`)).body;
    expect((await call(agent, 'POST', `/threads/${thread.threadId}/status`, { status: 'resolved' })).body.status).toBe(
      'resolved',
    );
    expect(
      (await call(agent, 'GET', `/businesses/${shopId}/inbox?status=resolved`)).body.threads.map(
        (t: any) => t.threadId,
      ),
    ).toContain(thread.threadId);
    await host.http('POST', `/v1/conversations/${thread.conversationId}/messages`, {
      token: customer.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text: 'One more thing' } },
    });
    await eventually(
      async () =>
        (await call(agent, 'GET', `/businesses/${shopId}/inbox?status=open`)).body.threads.some(
          (t: any) => t.threadId === thread.threadId,
        ),
      { timeoutMs: 5_000, what: 'the reopening' },
    );
  });

  it("snoozes a conversation until a time or the customer's next message, whichever comes first", async () => {
    const thread = (await call(customer, 'POST', `/businesses/${shopId}/conversations`)).body;
    const later = new Date(Date.now() + 24 * 3600_000).toISOString();
    const snoozed = await call(agent, 'POST', `/threads/${thread.threadId}/status`, {
      status: 'snoozed',
      snoozedUntil: later,
    });
    expect(snoozed.body).toMatchObject({ status: 'snoozed', snoozedUntil: later });
    expect(
      (
        await call(agent, 'POST', `/threads/${thread.threadId}/status`, {
          status: 'snoozed',
          snoozedUntil: '2001-01-01T00:00:00Z',
        })
      ).body.error.code,
    ).toBe('invalid_business_request');
    await host.http('POST', `/v1/conversations/${thread.conversationId}/messages`, {
      token: customer.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text: 'Hello?' } },
    });
    await eventually(async () =>
      (await call(agent, 'GET', `/businesses/${shopId}/inbox?status=open`)).body.threads.some(
        (t: any) => t.threadId === thread.threadId && t.snoozedUntil === null,
      ),
    );
    // A short snooze wakes by itself.
    const soon = new Date(Date.now() + 1_500).toISOString();
    expect(
      (await call(agent, 'POST', `/threads/${thread.threadId}/status`, { status: 'snoozed', snoozedUntil: soon })).body
        .status,
    ).toBe('snoozed');
    await eventually(
      async () =>
        (await call(agent, 'GET', `/businesses/${shopId}/inbox?status=open`)).body.threads.some(
          (t: any) => t.threadId === thread.threadId,
        ),
      { timeoutMs: 15_000 },
    );
  });

  it("assigns conversations to the business's own agents only", async () => {
    const thread = (await call(customer, 'POST', `/businesses/${shopId}/conversations`)).body;
    expect(
      (await call(owner, 'POST', `/threads/${thread.threadId}/assignee`, { agentId: agent.id })).body.assignee,
    ).toBe(agent.id);
    expect(
      (await call(owner, 'POST', `/threads/${thread.threadId}/assignee`, { agentId: rival.id })).body.error.code,
    ).toBe('invalid_business_request');
    expect(
      (await call(owner, 'POST', `/threads/${thread.threadId}/assignee`, { agentId: null })).body.assignee,
    ).toBeNull();
  });

  it('keeps private notes from the customer', async () => {
    const thread = (await call(customer, 'POST', `/businesses/${shopId}/conversations`)).body;
    const note = await call(agent, 'POST', `/threads/${thread.threadId}/notes`, { text: 'VIP customer, be nice' });
    expect(note.status).toBe(201);
    expect((await call(owner, 'GET', `/threads/${thread.threadId}/notes`)).body.notes.map((n: any) => n.text)).toEqual([
      'VIP customer, be nice',
    ]);
    expect((await call(customer, 'GET', `/threads/${thread.threadId}/notes`)).body.error.code).toBe('thread_not_found');
    expect((await call(rival, 'GET', `/threads/${thread.threadId}/notes`)).body.error.code).toBe('thread_not_found');
    const history = await fullHistory(host.url, customer.token, thread.conversationId);
    expect(JSON.stringify(history)).not.toContain('VIP customer');
  });

  it('opens one conversation when a customer asks twice at once, leaving no spare one', async () => {
    const shopper = await host.createUser();
    const [a, b] = await Promise.all([
      call(shopper, 'POST', `/businesses/${shopId}/conversations`),
      call(shopper, 'POST', `/businesses/${shopId}/conversations`),
    ]);
    expect(a.body.threadId).toBe(b.body.threadId);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    const mine = (await host.http('GET', '/v1/conversations', { token: shopper.token })).body.conversations;
    expect(mine.map((c: any) => c.id)).toEqual([a.body.conversationId]);
  });
});

/**
 * Business chat on three hosts gives what one host gives. The business and payments plugins run
 * trusted on every host; the customer writes through host B: the business reacts to each message
 * once in the cluster (one webhook `message` event each, one away reply, not one per host). The
 * inbox changes state through different hosts (assigned on A, control taken on B, resolved on C,
 * reopened on A and B at once) and every host then shows the same thread, each change heard once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { botOf } from './support/plugin-helpers.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { BUSINESS_MANIFEST, FAST_WEBHOOKS, PAYMENTS_MANIFEST, businessApi } from './support/business-helpers.js';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';

const AWAY = 'We are closed; we answer from 9:00.';

// Hosts sharing a database need PostgreSQL (the bus refuses SQLite).
describe.skipIf(!process.env.DATABASE_URL)('business chat across three hosts', () => {
  let cluster: Cluster;
  let hosts: ClusterHost[];
  let receiver: WebhookReceiver;
  let owner: TestUser;
  let agent: TestUser;
  let businessId: string;
  const api = (n: number) => businessApi(hosts[n]!);

  /** A new customer's thread, started through host `n`. */
  const newThread = async (n: number) => {
    const customer = await hosts[n]!.createUser({ displayName: 'Sam Jones' });
    return { customer, thread: await api(n).startThread(customer, businessId) };
  };
  /** The customer writes through host `n`; resolves once the business's webhook has the message. */
  const says = async (
    n: number,
    customer: TestUser,
    thread: { threadId: string; conversationId: string },
    text: string,
  ) => {
    await api(n).customerSays(customer, thread.conversationId, text);
    await receiver.waitForEvent(
      (e) => e.type === 'message' && e.threadId === thread.threadId && e.message?.content?.text === text,
      15_000,
    );
  };
  const eventsOf = (type: string, threadId: string) => receiver.events(type).filter((e) => e.threadId === threadId);

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    cluster = await startCluster({
      config: {
        plugins: {
          enabled: [
            { path: PAYMENTS_MANIFEST },
            {
              path: BUSINESS_MANIFEST,
              settings: { webhooks: FAST_WEBHOOKS },
              grants: { 'http.outbound': { hosts: ['127.0.0.1:*'] } },
            },
          ],
        },
      },
    });
    hosts = cluster.hosts;
    [owner, agent] = await Promise.all([hosts[0]!.createUser(), hosts[1]!.createUser()]);
    businessId = await api(0).createBusiness(owner);
    await api(2).addAgent(owner, businessId, agent, 'support');
    const hook = await api(1).call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: receiver.url });
    expect(hook.status, JSON.stringify(hook.body)).toBe(200);
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
    await receiver?.stop();
  });

  it(
    'reacts once in the cluster to messages sent through host B: one event each, one away reply',
    { timeout: 90_000 },
    async () => {
      const businessBot = await botOf(hosts[0]!, 'business');
      const today = new Date()
        .toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' })
        .toLowerCase()
        .slice(0, 3);
      const otherDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].find((d) => d !== today)!;
      const closed = await api(0).call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
        hours: { timezone: 'UTC', weekly: { [otherDay]: [['09:00', '17:00']] } },
        awayMessage: AWAY,
      });
      expect(closed.body.openNow).toBe(false);

      const { customer, thread } = await newThread(1);
      for (const text of ['first', 'second', 'third']) await says(1, customer, thread, text);
      const awayReplies = async () =>
        (await fullHistory(hosts[2]!.url, customer.token, thread.conversationId)).filter(
          (m) => m.senderId === businessBot && m.content?.text === AWAY,
        );
      await eventually(async () => (await awayReplies()).length > 0, { timeoutMs: 10_000, what: 'the away reply' });
      // A later message through another host has been through all of it too: the decisions are made.
      await says(0, customer, thread, 'later');
      expect(await awayReplies()).toHaveLength(1);
      for (const text of ['first', 'second', 'third', 'later'])
        expect(
          eventsOf('message', thread.threadId).filter((e) => e.message?.content?.text === text),
          text,
        ).toHaveLength(1);
      // The inbox has the thread once, as every host lists it.
      for (const n of [0, 1, 2]) {
        const listed = (await api(n).call(owner, 'GET', `/businesses/${businessId}/inbox`)).body.threads as {
          threadId: string;
        }[];
        expect(listed.filter((t) => t.threadId === thread.threadId)).toHaveLength(1);
      }
      await api(2).call(owner, 'PATCH', `/businesses/${businessId}/settings`, { hours: null, awayMessage: null });
    },
  );

  it(
    'inbox changes made through different hosts end the same on every host, each heard once',
    { timeout: 90_000 },
    async () => {
      const { customer, thread } = await newThread(2);
      await says(1, customer, thread, 'I need help');

      const assigned = await api(0).call(owner, 'POST', `/threads/${thread.threadId}/assignee`, { agentId: agent.id });
      expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
      const taken = await api(1).call(agent, 'POST', `/threads/${thread.threadId}/control`, { action: 'take' });
      expect(taken.body.control).toBe('agents');
      const resolved = await api(2).call(agent, 'POST', `/threads/${thread.threadId}/status`, { status: 'resolved' });
      expect(resolved.body.status).toBe('resolved');
      // Done twice through two hosts at once: one change, not two.
      const again = await Promise.all(
        [0, 1].map((n) => api(n).call(agent, 'POST', `/threads/${thread.threadId}/status`, { status: 'open' })),
      );
      for (const r of again) expect(r.body.status).toBe('open');

      for (const n of [0, 1, 2])
        expect(await api(n).thread(owner, thread.threadId)).toMatchObject({
          assignee: agent.id,
          control: 'agents',
          status: 'open',
        });
      await receiver.waitForEvent((e) => e.type === 'status' && e.threadId === thread.threadId && e.status === 'open');
      await says(0, customer, thread, 'thanks');
      expect(eventsOf('assigned', thread.threadId)).toHaveLength(1);
      // Taking a thread agents already have changes nothing and tells nobody.
      expect(eventsOf('handover', thread.threadId).map((e) => e.action)).toEqual(
        thread.control === 'agents' ? [] : ['take'],
      );
      const statuses = eventsOf('status', thread.threadId).map((e) => e.status);
      expect(statuses.filter((s) => s === 'resolved')).toHaveLength(1);
      // Two hosts reopened it at the same instant: it reopened once or, at most, each saw it resolved.
      expect(statuses.filter((s) => s === 'open').length).toBeGreaterThanOrEqual(1);
      expect(statuses.filter((s) => s === 'open').length).toBeLessThanOrEqual(2);
    },
  );
});

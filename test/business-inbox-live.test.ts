/**
 * The business inbox, live: besides the webhook events, the agents hear in their room what moves
 * the inbox without a webhook event of its own — customers writing (one event per business per
 * burst, naming the threads; a resolved thread opens again), the business replying (an agent, the
 * bot) and a snooze running out — so their consoles need not ask again on a timer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessApi, startBusinessHost, supportBot } from './support/business-helpers.js';
import { startInbox, type Inbox } from './support/inbox-helpers.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import type { TestClient } from './support/test-client.js';

/** The next `business.inbox` body of this event an agent's socket receives. */
const heardOn = async (socket: TestClient, event: string, about: (body: any) => boolean) =>
  (
    await socket.next(
      (f) =>
        f.type === 'message.created' &&
        f.message.content?.type === 'business.inbox' &&
        f.message.content.body.event === event &&
        about(f.message.content.body),
    )
  ).message.content.body;

describe('business inbox: live updates in the agents room', () => {
  let inbox: Inbox;
  let agentSocket: TestClient;

  beforeAll(async () => {
    inbox = await startInbox();
    agentSocket = await inbox.host.connect(inbox.agents[0]!.token);
  });
  afterAll(async () => {
    await inbox?.stop();
  });

  const heard = (event: string, about: (body: any) => boolean) => heardOn(agentSocket, event, about);

  it('tells the agents which threads their customers wrote in, and that a resolved one is open again', async () => {
    const { api, agents } = inbox;
    const customer = await inbox.host.createUser();
    const thread = await api.startThread(customer, inbox.businessId);
    const wrote = heard('customer_messages', (b) => b.threadIds?.includes(thread.threadId));
    await api.customerSays(customer, thread.conversationId, 'Where is my parcel?');
    expect(await wrote).toEqual({ event: 'customer_messages', threadIds: [thread.threadId] });

    const resolved = await api.call(agents[0]!, 'POST', `/threads/${thread.threadId}/status`, { status: 'resolved' });
    expect(resolved.body.status).toBe('resolved');
    const again = heard('customer_messages', (b) => b.threadIds?.includes(thread.threadId));
    await api.customerSays(customer, thread.conversationId, 'Still not here');
    await again;
    expect((await api.thread(agents[0]!, thread.threadId)).status).toBe('open');
  });

  it("tells the agents when one of them replies, so the others' consoles show the reply", async () => {
    const { api, agents } = inbox;
    const { thread } = await inbox.newCustomerWrites();
    const replied = heard('business_message', (b) => b.threadId === thread.threadId);
    const sent = await api.call(agents[1]!, 'POST', `/threads/${thread.threadId}/messages`, { text: 'On its way' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    expect(await replied).toEqual({
      event: 'business_message',
      threadId: thread.threadId,
      sender: 'agent',
      agentId: agents[1]!.id,
    });
  });

  it('tells the agents when a snooze runs out', async () => {
    const { api, agents } = inbox;
    const { thread } = await inbox.newCustomerWrites();
    const ended = heard('snooze_ended', (b) => b.threadId === thread.threadId);
    const soon = new Date(Date.now() + 1_500).toISOString();
    const snoozed = await api.call(agents[0]!, 'POST', `/threads/${thread.threadId}/status`, {
      status: 'snoozed',
      snoozedUntil: soon,
    });
    expect(snoozed.body.status).toBe('snoozed');
    expect(await ended).toEqual({ event: 'snooze_ended', threadId: thread.threadId });
    expect((await api.thread(agents[0]!, thread.threadId)).status).toBe('open');
  });
});

describe("business inbox: the bot's replies, live in the agents room", () => {
  let host: TestHost;
  let owner: TestUser;
  let businessId: string;
  let ownerSocket: TestClient;

  beforeAll(async () => {
    host = await startBusinessHost({ bots: [supportBot()] });
    owner = await host.createUser();
    businessId = await businessApi(host).createBusiness(owner, 'Bot Shoes');
    const bot = await businessApi(host).call(owner, 'PUT', `/businesses/${businessId}/bot`, {
      pluginId: 'support-bot',
    });
    expect(bot.status, JSON.stringify(bot.body)).toBe(200);
    ownerSocket = await host.connect(owner.token);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('tells the agents when the bot answers a customer', async () => {
    const api = businessApi(host);
    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    expect(thread.control).toBe('bot');
    const answered = heardOn(ownerSocket, 'business_message', (b) => b.threadId === thread.threadId);
    await api.customerSays(customer, thread.conversationId, 'Where is my parcel?');
    expect(await answered).toEqual({ event: 'business_message', threadId: thread.threadId, sender: 'bot' });
    const history = await api.call(owner, 'GET', `/threads/${thread.threadId}/messages`);
    expect(history.body.messages.map((m: any) => m.content?.text ?? m.content?.body?.text)).toContain(
      'Bot: Where is my parcel?',
    );
  });
});

/**
 * Business chat end to end, over WebSocket and HTTP: a customer's conversation answered first
 * by the business's bot, handed over to an agent (assigned round-robin), resolved, and rated.
 * Also: a customer can always ask for a person; an agent who replies takes the conversation;
 * templates are checked against their schemas when sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { botOf } from './support/plugin-helpers.js';
import type { TestClient } from './support/test-client.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { businessApi, startBusinessHost, supportBot } from './support/business-helpers.js';
import { eventually } from './support/eventually.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

describe('business chat: bot, handover, agent, resolution, survey', () => {
  let host: TestHost;
  let api: ReturnType<typeof businessApi>;
  let receiver: WebhookReceiver;
  let owner: TestUser;
  let agent: TestUser;
  let customer: TestUser;
  let businessId: string;
  let businessBot: string;
  let agentSocket: TestClient;
  let customerSocket: TestClient;

  const botEvents = async () =>
    (await host.http('GET', '/plugins/support-bot/events', { token: 'admin' })).body.events as any[];
  const asBot = async (service: string, input: unknown) =>
    (await host.http('POST', '/plugins/support-bot/call', { token: 'admin', body: { service, input } })).body;
  /** The next message the customer's socket receives from the business. */
  const fromBusiness = async (predicate: (m: any) => boolean = () => true) =>
    (
      await customerSocket.next(
        (f) => f.type === 'message.created' && f.message.senderId === businessBot && predicate(f.message),
      )
    ).message;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    host = await startBusinessHost({ bots: [supportBot()] });
    api = businessApi(host);
    [owner, agent, customer] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    businessId = await api.createBusiness(owner);
    businessBot = await botOf(host, 'business');
    await api.addAgent(owner, businessId, agent, 'support');
    // The owner is an admin but not on the support team, so round-robin has one candidate.
    expect(
      (
        await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
          routing: { mode: 'round_robin', team: 'support' },
        })
      ).status,
    ).toBe(200);
    expect((await api.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: receiver.url })).status).toBe(200);
    agentSocket = await host.connect(agent.token);
    customerSocket = await host.connect(customer.token);
  });
  afterAll(async () => {
    await host?.stop();
    await receiver?.stop();
  });

  it('attaches only a running bot that answers on businessEvent', async () => {
    expect(
      (await api.call(owner, 'PUT', `/businesses/${businessId}/bot`, { pluginId: 'no-such-bot' })).body.error.code,
    ).toBe('bot_unreachable');
    expect(
      (await api.call(agent, 'PUT', `/businesses/${businessId}/bot`, { pluginId: 'support-bot' })).body.error.code,
    ).toBe('not_business_admin');
    const attached = await api.call(owner, 'PUT', `/businesses/${businessId}/bot`, { pluginId: 'support-bot' });
    expect(attached.body).toMatchObject({ bot: 'support-bot', hasBot: true });
    expect((await botEvents()).map((e) => e.type)).toContain('ping');
  });

  it('runs a conversation from the bot, through handover to an agent, to resolved and rated', async () => {
    const thread = await api.startThread(customer, businessId);
    expect(thread.control).toBe('bot');
    expect(
      await receiver.waitForEvent((e) => e.type === 'conversation_started' && e.threadId === thread.threadId),
    ).toMatchObject({ source: 'profile', ref: null });

    // The bot answers first, with a quick reply.
    await customerSocket.sendText(thread.conversationId, 'hello');
    const answer = await fromBusiness((m) => m.content.type === 'business.text');
    expect(answer.content.body).toEqual({ text: 'Bot: hello', quickReplies: [{ id: 'track', label: 'Track order' }] });
    expect(await receiver.waitForEvent((e) => e.type === 'message' && e.threadId === thread.threadId)).toMatchObject({
      standby: false,
      message: { content: { type: 'text', text: 'hello' } },
    });

    // A tap on the quick reply reaches the bot, which sends an order update.
    const tap = await customerSocket.request({
      type: 'postback',
      conversationId: thread.conversationId,
      messageId: answer.id,
      buttonId: 'track',
    });
    expect(tap).toEqual({ plugin: 'business', reply: { text: 'Got it.' } });
    const update = await fromBusiness((m) => m.content.type === 'business.order_update');
    expect(update.content.body).toEqual({ orderNumber: 'A-1', status: 'shipped', carrier: 'Post' });
    expect(await receiver.waitForEvent((e) => e.type === 'postback')).toMatchObject({
      threadId: thread.threadId,
      payload: 'track',
      source: 'message',
      messageId: answer.id,
    });

    // The customer wants a person: the bot passes control; both sides hear it; round-robin picks the online agent.
    await customerSocket.sendText(thread.conversationId, 'human');
    const notice = await fromBusiness((m) => m.content.type === 'business.handover');
    expect(notice.content.body).toEqual({
      action: 'pass',
      from: 'bot',
      to: 'agents',
      by: 'bot',
      reason: 'asked for a human',
    });
    expect(await receiver.waitForEvent((e) => e.type === 'handover' && e.threadId === thread.threadId)).toMatchObject({
      action: 'pass',
      to: 'agents',
    });
    expect(await receiver.waitForEvent((e) => e.type === 'assigned' && e.threadId === thread.threadId)).toMatchObject({
      assignee: agent.id,
      by: 'round_robin',
    });
    await eventually(
      async () =>
        (await botEvents()).some((e) => e.type === 'handover' && e.threadId === thread.threadId && e.to === 'agents'),
      { timeoutMs: 5_000, what: 'the bot hearing the handover' },
    );
    expect(await api.thread(agent, thread.threadId)).toMatchObject({
      control: 'agents',
      assignee: agent.id,
      status: 'open',
    });
    // The agents hear it live, in their room.
    const live = (event: string) =>
      agentSocket.next(
        (f) =>
          f.type === 'message.created' &&
          f.message.content?.type === 'business.inbox' &&
          f.message.content.body.event === event &&
          f.message.content.body.threadId === thread.threadId,
      );
    expect((await live('handover')).message.content.body).toMatchObject({ action: 'pass', to: 'agents', by: 'bot' });
    expect((await live('assigned')).message.content.body).toMatchObject({ assignee: agent.id, by: 'round_robin' });
    const room = (await api.call(owner, 'GET', `/businesses/${businessId}/settings`)).body.agentsConversationId;
    expect((await host.http('GET', `/v1/conversations/${room}/messages`, { token: customer.token })).status).toBe(404);

    // The bot no longer speaks in this conversation, and hears the customer only on standby.
    expect(await asBot('business.send', { threadId: thread.threadId, text: 'me again' })).toMatchObject({
      ok: false,
      name: 'PluginError',
      code: 'not_thread_owner',
      status: 409,
    });
    await customerSocket.sendText(thread.conversationId, 'are you there?');
    await eventually(
      async () =>
        (await botEvents()).find((e) => e.type === 'message' && e.message.content.text === 'are you there?')
          ?.standby === true,
      { timeoutMs: 5_000, what: 'a standby event' },
    );

    // The agent answers and resolves; the customer gets the survey and rates it.
    expect(
      (
        await api.call(agent, 'POST', `/threads/${thread.threadId}/messages`, {
          text: 'Hi, I am Alex. Your parcel arrives tomorrow.',
        })
      ).status,
    ).toBe(201);
    expect((await fromBusiness((m) => m.content.type === 'text')).content.text).toBe(
      'Hi, I am Alex. Your parcel arrives tomorrow.',
    );
    expect(
      (await api.call(agent, 'POST', `/threads/${thread.threadId}/status`, { status: 'resolved' })).body.status,
    ).toBe('resolved');
    const survey = await fromBusiness((m) => m.content.type === 'business.csat');
    expect(survey.content.body.buttons.map((b: any) => b.id)).toEqual([
      'csat:1',
      'csat:2',
      'csat:3',
      'csat:4',
      'csat:5',
    ]);
    expect(
      await customerSocket.request({
        type: 'postback',
        conversationId: thread.conversationId,
        messageId: survey.id,
        buttonId: 'csat:5',
      }),
    ).toEqual({ plugin: 'business', reply: { text: 'Thank you for your rating.' } });
    expect(
      (
        await customerSocket.request({
          type: 'postback',
          conversationId: thread.conversationId,
          messageId: survey.id,
          buttonId: 'csat:1',
        })
      ).reply.text,
    ).toBe('This survey is answered already.');
    expect(await receiver.waitForEvent((e) => e.type === 'csat')).toMatchObject({
      threadId: thread.threadId,
      rating: 5,
      assignee: agent.id,
    });
    expect((await api.call(owner, 'GET', `/businesses/${businessId}/csat`)).body).toEqual({
      responses: 1,
      average: 5,
      distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 1 },
      agents: [{ agentId: agent.id, responses: 1, average: 5 }],
    });
  });

  it('lets a customer always ask for a person, from the menu', async () => {
    const other = await host.createUser();
    const profile = (await api.call(other, 'GET', `/businesses/${businessId}`)).body;
    expect(profile.menu.at(-1)).toEqual({ id: 'handover:human', label: 'Talk to a person' });
    const thread = await api.startThread(other, businessId);
    expect(thread.control).toBe('bot');
    expect(
      (await api.call(customer, 'POST', `/threads/${thread.threadId}/menu`, { itemId: 'handover:human' })).body.error
        .code,
    ).toBe('thread_not_found');
    expect(
      (await api.call(other, 'POST', `/threads/${thread.threadId}/menu`, { itemId: 'handover:human' })).body,
    ).toEqual({ text: 'A person will answer you here.' });
    expect(await api.thread(agent, thread.threadId)).toMatchObject({ control: 'agents' });
    expect(await receiver.waitForEvent((e) => e.type === 'handover' && e.threadId === thread.threadId)).toMatchObject({
      by: 'customer',
      to: 'agents',
    });
  });

  it('hands control back and forth: an agent who replies takes it; pass and request tell the other side', async () => {
    const other = await host.createUser();
    const thread = await api.startThread(other, businessId);
    await api.customerSays(other, thread.conversationId, 'hi');
    await eventually(async () => (await api.thread(agent, thread.threadId)).lastCustomerMessageAt !== null);
    expect(
      (await api.call(agent, 'POST', `/threads/${thread.threadId}/control`, { action: 'pass' })).body.error.code,
    ).toBe('not_thread_owner');
    expect(
      (await api.call(agent, 'POST', `/threads/${thread.threadId}/messages`, { text: 'A person here.' })).status,
    ).toBe(201);
    expect(await api.thread(agent, thread.threadId)).toMatchObject({ control: 'agents' });
    expect(
      await receiver.waitForEvent(
        (e) => e.type === 'handover' && e.threadId === thread.threadId && e.action === 'take',
      ),
    ).toMatchObject({ by: agent.id });
    // The bot asks for it back; the agents decide, and pass it.
    expect(
      await asBot('business.requestThreadControl', { threadId: thread.threadId, reason: 'I can handle returns' }),
    ).toMatchObject({ ok: true, value: { control: 'agents' } });
    expect(
      await receiver.waitForEvent(
        (e) => e.type === 'handover' && e.threadId === thread.threadId && e.action === 'request',
      ),
    ).toMatchObject({ to: 'bot', reason: 'I can handle returns' });
    expect(
      (await api.call(agent, 'POST', `/threads/${thread.threadId}/control`, { action: 'pass' })).body.control,
    ).toBe('bot');
    expect(await asBot('business.send', { threadId: thread.threadId, text: 'Bot again' })).toMatchObject({ ok: true });
    // Another bot, or the bot for another business, cannot touch it.
    expect(await asBot('business.thread', { threadId: 'nope' })).toMatchObject({
      ok: false,
      code: 'thread_not_found',
      status: 404,
    });
  });

  it('checks templates against their schemas when they are sent', async () => {
    const other = await host.createUser();
    const thread = await api.startThread(other, businessId);
    await api.customerSays(other, thread.conversationId, 'show me shoes');
    await eventually(async () => (await api.thread(agent, thread.threadId)).lastCustomerMessageAt !== null);
    const send = (body: object) => api.call(agent, 'POST', `/threads/${thread.threadId}/messages`, body);
    const missingTitle = await send({ template: { type: 'generic', elements: [{ subtitle: 'no title' }] } });
    expect(missingTitle.status).toBe(400);
    expect(missingTitle.body.error.code).toBe('invalid_message_body');
    expect(missingTitle.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/content/body/elements/0' })]),
    );
    const tooMany = await send({
      template: {
        type: 'button',
        text: 'Pick',
        buttons: [1, 2, 3, 4].map((n) => ({ type: 'postback', id: `b${n}`, label: `B${n}` })),
      },
    });
    expect(tooMany.body.error).toMatchObject({ code: 'invalid_message_body' });
    expect((await send({ template: { type: 'poster' } })).body.error.code).toBe('invalid_business_request');
    // Survey ids are the plugin's own: a business cannot make a button that rates the conversation.
    expect((await send({ text: 'Rate us', quickReplies: [{ id: 'csat:5', label: 'Great' }] })).body.error.code).toBe(
      'invalid_business_request',
    );
    expect(
      (
        await send({
          template: {
            type: 'receipt',
            recipientName: 'Sam',
            orderNumber: 'A-2',
            currency: 'EUR',
            elements: [{ title: 'Boots', priceMinor: -1 }],
            summary: { totalMinor: 1 },
          },
        })
      ).body.error.code,
    ).toBe('invalid_message_body');
    const dupes = await send({
      template: {
        type: 'generic',
        elements: [
          { title: 'A', buttons: [{ type: 'postback', id: 'x', label: 'X' }] },
          { title: 'B', buttons: [{ type: 'postback', id: 'x', label: 'Y' }] },
        ],
      },
    });
    expect(dupes.body.error.code).toBe('invalid_message_body');
    const carousel = await send({
      template: {
        type: 'generic',
        elements: [
          {
            title: 'Trail boot',
            subtitle: '€120',
            imageUrl: 'https://shop.example/boot.png',
            buttons: [
              { type: 'postback', id: 'buy-boot', label: 'Buy' },
              { type: 'url', label: 'Details', url: 'https://shop.example/boot' },
            ],
          },
          { title: 'Sandal', buttons: [{ type: 'postback', id: 'buy-sandal', label: 'Buy' }] },
        ],
      },
    });
    expect(carousel.status, JSON.stringify(carousel.body)).toBe(201);
    const receipt = await send({
      template: {
        type: 'receipt',
        recipientName: 'Sam',
        orderNumber: 'A-2',
        currency: 'EUR',
        elements: [{ title: 'Boots', quantity: 1, priceMinor: 12000 }],
        summary: { totalMinor: 12000 },
      },
    });
    expect(receipt.status).toBe(201);
    // A nested button of a carousel answers; a URL button has no id to tap.
    const socket = await host.connect(other.token);
    expect(
      await socket.request({
        type: 'postback',
        conversationId: thread.conversationId,
        messageId: carousel.body.id,
        buttonId: 'buy-sandal',
      }),
    ).toEqual({ plugin: 'business', reply: { text: 'Got it.' } });
    expect(await receiver.waitForEvent((e) => e.type === 'postback' && e.payload === 'buy-sandal')).toMatchObject({
      threadId: thread.threadId,
    });
    // Nobody but the business sends its types.
    const forged = await host.http('POST', `/v1/conversations/${thread.conversationId}/messages`, {
      token: other.token,
      body: { clientMsgId: 'forged-1', content: { type: 'business.receipt', body: receipt.body.content.body } },
    });
    expect(forged.body.error.code).toBe('forbidden');
  });
});

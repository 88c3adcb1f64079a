/**
 * A business's bot may be a sandboxed mini-app: it hears events and answers through the same
 * services as a trusted plugin. A bot that does not answer cannot be attached; detaching a bot
 * hands its conversations to the agents; a bot cannot act for a business that did not attach it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { botOf } from './support/plugin-helpers.js';
import { fullHistory } from './support/e2e.js';
import { businessApi, startBusinessHost, supportBot } from './support/business-helpers.js';
import { eventually } from './support/eventually.js';

describe('business chat: bots', () => {
  let host: TestHost;
  let api: ReturnType<typeof businessApi>;
  let owner: TestUser;
  let businessId: string;

  beforeAll(async () => {
    host = await startBusinessHost({
      bots: [supportBot('app-bot', {}, 'sandbox'), supportBot('broken-bot', { failEvents: true })],
    });
    api = businessApi(host);
    owner = await host.createUser();
    businessId = await api.createBusiness(owner);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('runs a sandboxed mini-app as the business bot, under the same rules', async () => {
    expect((await api.call(owner, 'PUT', `/businesses/${businessId}/bot`, { pluginId: 'app-bot' })).body.bot).toBe(
      'app-bot',
    );
    const businessBot = await botOf(host, 'business');
    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    await api.customerSays(customer, thread.conversationId, 'hello');
    const answer = await eventually(
      async () =>
        (await fullHistory(host.url, customer.token, thread.conversationId)).find(
          (m) => m.senderId === businessBot && m.content?.type === 'business.text',
        ),
      { timeoutMs: 10_000, what: 'the app answering' },
    );
    expect(answer.content.body.text).toBe('Bot: hello');
    await api.customerSays(customer, thread.conversationId, 'human');
    await eventually(async () => (await api.thread(owner, thread.threadId)).control === 'agents', {
      timeoutMs: 10_000,
      what: 'the handover',
    });
    // The app may not speak for a conversation it passed on.
    const refused = await host.http('POST', '/plugins/app-bot/call', {
      token: 'admin',
      body: { service: 'business.send', input: { threadId: thread.threadId, text: 'still here' } },
    });
    expect(refused.body).toMatchObject({ ok: false, name: 'PluginError', code: 'not_thread_owner', status: 409 });
  });

  it('refuses a bot that does not answer, and never lets a bot act for another business', async () => {
    const other = await api.createBusiness(owner, 'Other Shop');
    const attach = await api.call(owner, 'PUT', `/businesses/${other}/bot`, { pluginId: 'broken-bot' });
    expect(attach.body.error.code).toBe('bot_unreachable');
    expect(attach.body.error.message).toContain('plugin_failed');
    expect((await api.call(owner, 'PUT', `/businesses/${other}/bot`, { pluginId: 'business' })).body.error.code).toBe(
      'invalid_business_request',
    );
    // app-bot is attached to the first business only.
    const customer = await host.createUser();
    const thread = await api.startThread(customer, other);
    const foreign = await host.http('POST', '/plugins/app-bot/call', {
      token: 'admin',
      body: { service: 'business.passThreadControl', input: { threadId: thread.threadId } },
    });
    expect(foreign.body).toMatchObject({ ok: false, code: 'thread_not_found', status: 404 });
  });

  it('hands every conversation of a detached bot to the agents', async () => {
    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    expect(thread.control).toBe('bot');
    expect((await api.call(owner, 'PUT', `/businesses/${businessId}/bot`, {})).body.error.code).toBe(
      'invalid_business_request',
    );
    expect((await api.call(owner, 'PUT', `/businesses/${businessId}/bot`, { pluginId: null })).body).toMatchObject({
      bot: null,
      hasBot: false,
    });
    expect((await api.thread(owner, thread.threadId)).control).toBe('agents');
    const notice = (await fullHistory(host.url, customer.token, thread.conversationId)).find(
      (m) => m.content?.type === 'business.handover',
    );
    expect(notice.content.body).toEqual({
      action: 'take',
      from: 'bot',
      to: 'agents',
      by: 'business',
      reason: 'The business detached its bot.',
    });
    expect(
      (await api.call(owner, 'POST', `/threads/${thread.threadId}/control`, { action: 'pass' })).body.error.code,
    ).toBe('no_bot_attached');
    expect((await api.startThread(await host.createUser(), businessId)).control).toBe('agents');
  });
});

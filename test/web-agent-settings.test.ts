/**
 * The agent console's handover and webhook settings in real Chromium, against a host with the
 * business plugin and the support bot: the bot's answer shows live in the thread; an agent takes a
 * conversation from the bot and passes it back; a business admin sets the webhook (its secret shown
 * once is the one that signs), sees a delivery the backend refused in the dead letters, and replays it.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessApi, startBusinessHost, supportBot } from './support/business-helpers.js';
import { chromiumMissing, launchBrowser, type BrowserHandle } from './support/browser.js';
import { eventually } from './support/eventually.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { openAgentConsole } from './support/web-agent.js';
import { signatureValid, WebhookReceiver } from './support/webhook-receiver.js';

describe.skipIf(chromiumMissing)('web client: agent console handover and webhook', { timeout: 240_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;
  let receiver: WebhookReceiver;
  let biz: ReturnType<typeof businessApi>;
  let owner: TestUser;
  let businessId: string;

  beforeAll(async () => {
    [host, browser, receiver] = await Promise.all([
      startBusinessHost({ bots: [supportBot()] }),
      launchBrowser(),
      new WebhookReceiver().start(),
    ]);
    biz = businessApi(host);
    owner = await host.createUser({ displayName: 'Olga Owner' });
    businessId = await biz.createBusiness(owner, 'Bot Shoes');
    const bot = await biz.call(owner, 'PUT', `/businesses/${businessId}/bot`, { pluginId: 'support-bot' });
    expect(bot.status, JSON.stringify(bot.body)).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await host?.stop();
  });

  const openConsole = async (user: TestUser): Promise<Page> => (await openAgentConsole(browser, host, user)).page;

  it('takes a conversation from the bot and passes it back', async () => {
    const page = await openConsole(owner);
    const customer = await host.createUser({ displayName: 'Betty Botfan' });
    const { threadId, conversationId, control } = await biz.startThread(customer, businessId);
    expect(control).toBe('bot');
    await page
      .getByRole('list', { name: 'Conversations' })
      .getByRole('button', { name: /Betty Botfan/ })
      .click();
    await page.getByText('The bot is answering', { exact: true }).last().waitFor();
    // The bot's answer is announced in the agents' room: the console reads the thread at once (no timer).
    await biz.customerSays(customer, conversationId, 'Where are my boots?');
    await page.getByRole('log', { name: 'Messages' }).getByText('Bot: Where are my boots?').waitFor();
    await page.getByRole('button', { name: 'Take over from the bot' }).click();
    await page.getByText('Agents are answering', { exact: true }).waitFor();
    expect((await biz.call(owner, 'GET', `/threads/${threadId}`)).body.control).toBe('agents');
    await page.getByRole('button', { name: 'Pass to the bot' }).click();
    await page.getByRole('button', { name: 'Take over from the bot' }).waitFor();
    expect((await biz.call(owner, 'GET', `/threads/${threadId}`)).body.control).toBe('bot');
  });

  it('sets the webhook (secret shown once), lists a dead delivery and replays it', async () => {
    const page = await openConsole(owner);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('textbox', { name: 'Webhook URL' }).fill(receiver.url);
    await page.getByRole('button', { name: 'Set webhook' }).click();
    const shown = page.locator('.agent-secret-value');
    await shown.waitFor();
    const secret = (await shown.textContent())!;
    expect(secret).toMatch(/^whsec_/);
    const ping = receiver.received.at(-1)!;
    expect(signatureValid(secret, ping.signature, ping.rawBody)).toBe(true);
    await page.getByText(`Events go to ${receiver.url}`).waitFor();

    receiver.respond = () => 500;
    const customer = await host.createUser();
    const thread = await biz.startThread(customer, businessId);
    const dead = await eventually(
      async () =>
        (await biz.call(owner, 'GET', `/businesses/${businessId}/webhook/deliveries?status=dead`)).body.deliveries[0],
      { timeoutMs: 20_000, what: 'a dead delivery' },
    );
    receiver.respond = () => 200;
    await page.reload();
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByText('No failed deliveries.').waitFor();
    await eventually(
      () =>
        receiver.processed
          .get(dead.deliveryId)
          ?.body.events.some((e) => e.type === 'conversation_started' && e.threadId === thread.threadId),
      { what: 'the replayed delivery processed by the backend' },
    );
  });

  it('adds and deletes canned responses (a bad placeholder refused in words), detaches and attaches the bot', async () => {
    const page = await openConsole(owner);
    await page.getByRole('button', { name: 'Settings' }).click();
    const cannedCard = page.getByRole('region', { name: 'Canned responses' });
    await cannedCard.getByText('No canned responses yet.').waitFor();
    await cannedCard.getByLabel('Shortcode').fill('thanks');
    await cannedCard.getByLabel('Text').fill('Thank you, {{customer.nickname}}!');
    await cannedCard.getByRole('button', { name: 'Add canned response' }).click();
    await cannedCard
      .getByRole('alert')
      .filter({ hasText: 'The business could not take this. Check what you entered.' })
      .waitFor();
    await cannedCard.getByLabel('Text').fill('Thank you, {{customer.name}}!');
    await cannedCard.getByRole('button', { name: 'Add canned response' }).click();
    await cannedCard.getByRole('list', { name: 'Canned responses' }).getByText('/thanks').waitFor();
    expect((await biz.call(owner, 'GET', `/businesses/${businessId}/canned`)).body.canned).toEqual([
      expect.objectContaining({ shortcode: 'thanks', text: 'Thank you, {{customer.name}}!' }),
    ]);
    await cannedCard.getByRole('button', { name: 'Delete /thanks' }).click();
    await cannedCard.getByText('No canned responses yet.').waitFor();
    expect((await biz.call(owner, 'GET', `/businesses/${businessId}/canned`)).body.canned).toEqual([]);

    const botCard = page.getByRole('region', { name: 'Bot' });
    await botCard.getByText('The bot support-bot answers first.').waitFor();
    await botCard.getByRole('button', { name: 'Detach bot' }).click();
    await botCard.getByText('No bot: agents answer every conversation.').waitFor();
    expect((await biz.call(owner, 'GET', `/businesses/${businessId}/settings`)).body.bot).toBeNull();
    await botCard.getByLabel('Bot plugin id').fill('no-such-bot');
    await botCard.getByRole('button', { name: 'Attach bot' }).click();
    await botCard
      .getByRole('alert')
      .filter({ hasText: 'No bot plugin with that id is running on this host.' })
      .waitFor();
    await botCard.getByLabel('Bot plugin id').fill('support-bot');
    await botCard.getByRole('button', { name: 'Attach bot' }).click();
    await botCard.getByText('The bot support-bot answers first.').waitFor();
    expect((await biz.call(owner, 'GET', `/businesses/${businessId}/settings`)).body.bot).toBe('support-bot');
  });
});

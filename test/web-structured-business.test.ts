/**
 * The web client with business chat, in real Chromium: a customer opens a business's link, gets
 * templates from a real business (carousel, receipt, order update, quick replies, the satisfaction
 * survey), taps them back to the business (its webhook hears them), uses the persistent menu, talks
 * to a business's bot until it hands over to a person, and the conversation has no serious
 * accessibility violation.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { businessApi, startBusinessHost, supportBot } from './support/business-helpers.js';
import { chromiumMissing, launchBrowser, type BrowserHandle, type PageProblems } from './support/browser.js';
import { eventually } from './support/eventually.js';
import type { TestHost, TestUser } from './support/start-test-host.js';
import {
  composer,
  conversationLink,
  conversationNav,
  messageItem,
  messageLog,
  openAs,
  openConversation,
  sendText,
} from './support/web-chat.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

describe.skipIf(chromiumMissing)('web client: business conversations', { timeout: 150_000 }, () => {
  let host: TestHost;
  let browser: BrowserHandle;
  let biz: ReturnType<typeof businessApi>;
  let receiver: WebhookReceiver;
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
    businessId = await biz.createBusiness(owner, 'Acme Shoes');
    const hook = await biz.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: receiver.url });
    expect(hook.status, JSON.stringify(hook.body)).toBe(200);
    const menu = await biz.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
      menu: [
        { id: 'returns', label: 'Returns' },
        { label: 'Our shop', url: 'https://shop.example/' },
      ],
    });
    expect(menu.status, JSON.stringify(menu.body)).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await receiver?.stop();
    await host?.stop();
  });

  /** The customer follows the business's link and lands in their conversation with it. */
  async function openFromLink(
    customer: TestUser,
    ref: string,
  ): Promise<{ page: Page; problems: PageProblems; conversationId: string }> {
    const { page, problems } = await openAs(browser, host, customer, { locale: 'en-US' });
    await page.goto(`${host.url}/b/${businessId}?ref=${ref}`);
    await page.waitForURL(/\/c\/[^/]+$/);
    await messageLog(page).waitFor();
    return { page, problems, conversationId: decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!) };
  }

  async function send(threadId: string, body: Record<string, unknown>): Promise<void> {
    const res = await biz.call(owner, 'POST', `/threads/${threadId}/messages`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }

  const webhookEvent = (type: string, match: Record<string, unknown>) =>
    eventually(() => receiver.events(type).find((e) => Object.entries(match).every(([k, v]) => e[k] === v)), {
      what: `a ${type} webhook event like ${JSON.stringify(match)}`,
    });

  it('shows a carousel, a receipt and an order update from the business; taps reach it; no serious axe violation', async () => {
    const customer = await host.createUser({ displayName: 'Carol Customer' });
    const { page, problems, conversationId } = await openFromLink(customer, 'spring-sale');
    const started = await webhookEvent('conversation_started', { customerId: customer.id });
    expect(started).toMatchObject({ conversationId, source: 'link', ref: 'spring-sale' });
    await biz.customerSays(customer, conversationId, 'Hello, I need boots');
    const threadId = started.threadId as string;
    const picture = `${host.url}/favicon.svg`;

    await send(threadId, {
      template: {
        type: 'generic',
        elements: [
          {
            title: 'Trail boot',
            subtitle: '€120',
            imageUrl: picture,
            defaultUrl: 'https://shop.example/boot',
            buttons: [
              { type: 'postback', id: 'buy-boot', label: 'Buy' },
              { type: 'url', label: 'Details', url: 'https://shop.example/boot' },
            ],
          },
          {
            title: 'Sandal',
            imageUrl: picture,
            buttons: [{ type: 'postback', id: 'buy-sandal', label: 'Buy sandal' }],
          },
        ],
      },
      quickReplies: [{ id: 'more', label: 'Show more' }],
    });
    const carousel = page.getByRole('region', { name: 'Carousel, 2 cards' });
    await carousel.getByText('Trail boot').waitFor();
    expect(await carousel.getByRole('listitem').count()).toBe(2);
    await eventually(async () => (await carousel.locator('img[src$="/favicon.svg"]').count()) === 2, {
      what: 'both pictures',
    });
    expect(await carousel.getByRole('link', { name: 'Trail boot' }).getAttribute('href')).toBe(
      'https://shop.example/boot',
    );
    expect(await carousel.getByRole('link', { name: 'Details' }).getAttribute('rel')).toBe('noopener noreferrer');
    await carousel.getByRole('button', { name: 'Buy sandal' }).click();
    const offer = messageItem(page, 'Trail boot');
    await offer.getByRole('status').filter({ hasText: 'Got it.' }).waitFor();
    await webhookEvent('postback', { threadId, payload: 'buy-sandal', source: 'message' });
    await offer.getByRole('button', { name: 'Show more' }).click();
    await webhookEvent('postback', { threadId, payload: 'more' });

    await send(threadId, {
      template: {
        type: 'receipt',
        recipientName: 'Carol Customer',
        orderNumber: 'A-1001',
        currency: 'EUR',
        paymentMethod: 'Visa 4242',
        orderUrl: 'https://shop.example/orders/A-1001',
        elements: [{ title: 'Trail boot', subtitle: 'Size 42', quantity: 2, priceMinor: 12_000 }],
        address: { street1: '1 Main Street', city: 'Berlin', postalCode: '10115', country: 'DE' },
        summary: { subtotalMinor: 24_000, shippingMinor: 495, totalMinor: 24_495 },
      },
    });
    const receipt = messageItem(page, 'Receipt for order A-1001');
    await receipt.getByText('2 × Trail boot').waitFor();
    await receipt.getByText('€120.00').waitFor();
    expect(await receipt.locator('.receipt-total').textContent()).toBe('Total€244.95');
    await receipt.getByText('€4.95').waitFor();
    await receipt.getByText('Germany').waitFor();
    await receipt.getByText('10115 Berlin').waitFor();
    expect(await receipt.getByRole('link', { name: 'View the order' }).getAttribute('href')).toBe(
      'https://shop.example/orders/A-1001',
    );

    await send(threadId, {
      template: {
        type: 'order_update',
        orderNumber: 'A-1001',
        status: 'out_for_delivery',
        carrier: 'Post',
        trackingUrl: 'https://post.example/track/123',
        buttons: [{ type: 'postback', id: 'where', label: 'Where is it?' }],
      },
    });
    const update = messageItem(page, 'Order A-1001');
    await update.getByText('Your order is out for delivery.').waitFor();
    await update.getByText('Carrier: Post').waitFor();
    expect(await update.getByRole('link', { name: 'Track the parcel' }).getAttribute('href')).toBe(
      'https://post.example/track/123',
    );
    await update.getByRole('button', { name: 'Where is it?' }).click();
    await webhookEvent('postback', { threadId, payload: 'where' });

    // What a person reads is words, never a body's fields.
    expect(await messageLog(page).innerText()).not.toMatch(/elements|priceMinor|business\.|out_for_delivery/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(problems.cspViolations).toEqual([]);
  });

  it('the persistent menu taps a postback item and opens a link; the survey after a resolution is answered by a tap', async () => {
    const customer = await host.createUser({ displayName: 'Dora Customer' });
    const { page, conversationId } = await openFromLink(customer, 'menu');
    const { threadId } = await webhookEvent('conversation_started', { customerId: customer.id });
    await biz.customerSays(customer, conversationId, 'About my order');

    const menuButton = page.getByRole('button', { name: 'Acme Shoes menu' });
    await menuButton.click();
    // The menu opens at the next render, which may come after the click returns.
    await expect.poll(() => menuButton.getAttribute('aria-expanded')).toBe('true');
    const items = page.getByRole('list', { name: 'Menu' });
    await expect
      .poll(() => items.getByRole('listitem').allTextContents())
      .toEqual(['Returns', 'Our shop (opens in a new tab)', 'Talk to a person']);
    expect(await items.getByRole('link', { name: 'Our shop' }).getAttribute('href')).toBe('https://shop.example/');
    await items.getByRole('button', { name: 'Returns' }).click();
    await page.getByRole('status').filter({ hasText: 'Got it.' }).first().waitFor();
    await webhookEvent('postback', { threadId, payload: 'returns', source: 'menu' });
    await menuButton.click();
    await items.getByRole('button', { name: 'Talk to a person' }).click();
    await page.getByRole('status').filter({ hasText: 'A person will answer you here.' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    const resolved = await biz.call(owner, 'POST', `/threads/${threadId}/status`, { status: 'resolved' });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    const survey = messageItem(page, 'How');
    await survey.getByRole('button', { name: '5' }).click();
    await survey.getByRole('status').filter({ hasText: 'Thank you for your rating.' }).waitFor();
    await webhookEvent('csat', { threadId, rating: 5 });

    // On another device, where nothing is remembered, the business API names the conversation's business.
    const { page: second } = await openAs(browser, host, customer, { locale: 'en-US' });
    await openConversation(second, host, conversationId);
    await second.getByRole('button', { name: 'Acme Shoes menu' }).click();
    await second.getByRole('list', { name: 'Menu' }).getByRole('button', { name: 'Returns' }).waitFor();

    // A conversation with another person (no bot) has no business menu: nothing about a business is
    // asked for, neither its thread nor its profile.
    const other = await host.createUser();
    const room = await host.createGroup(customer, [other], 'Friends');
    const businessRequests: string[] = [];
    const otherAsked: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/plugins/business/')) businessRequests.push(request.url());
      if (request.url().endsWith(`/v1/users/${other.id}`)) otherAsked.push(request.url());
    });
    const otherLooked = page.waitForResponse((r) => r.url().endsWith(`/v1/users/${other.id}`));
    await openConversation(page, host, room.id);
    await composer(page).waitFor();
    await otherLooked;
    // Preact runs effects after the next frame: past it, a profile fetch would have started.
    await page.evaluate(
      () => new Promise((done) => (globalThis as any).requestAnimationFrame(() => setTimeout(done, 0))),
    );
    expect(businessRequests).toEqual([]);
    expect(await page.getByRole('button', { name: /menu$/ }).count()).toBe(0);
    // Who the other member is comes from the people directory, which the screens share: asked once,
    // and not again when the group is opened again in the app.
    await conversationNav(page).getByRole('link').filter({ hasNotText: 'Friends' }).first().click();
    // The business's conversation, with its menu: what it asked of the business is not Friends' doing.
    await page.getByRole('button', { name: /menu$/ }).waitFor();
    businessRequests.length = 0;
    const listedAgain = page.waitForResponse((r) => r.url().includes(`/v1/conversations/${room.id}/members`));
    await conversationLink(page, /Friends/).click();
    await composer(page).waitFor();
    await listedAgain;
    await page.evaluate(
      () => new Promise((done) => (globalThis as any).requestAnimationFrame(() => setTimeout(done, 0))),
    );
    expect(otherAsked).toHaveLength(1);
    expect(businessRequests).toEqual([]);
  });

  it('a business\'s bot answers first; its quick reply and the menu\'s "Talk to a person" hand over, told in words', async () => {
    const botBusiness = await biz.createBusiness(owner, 'Bot Boots');
    const attached = await biz.call(owner, 'PUT', `/businesses/${botBusiness}/bot`, { pluginId: 'support-bot' });
    expect(attached.status, JSON.stringify(attached.body)).toBe(200);
    const customer = await host.createUser({ displayName: 'Erin Customer' });
    const { page } = await openAs(browser, host, customer, { locale: 'en-US' });
    await page.goto(`${host.url}/b/${botBusiness}`);
    await page.waitForURL(/\/c\/[^/]+$/);

    await sendText(page, 'hello');
    const answer = messageItem(page, 'Bot: hello');
    await answer.getByRole('button', { name: 'Track order' }).click();
    await messageItem(page, 'Order A-1').getByText('Your order has shipped.').waitFor();

    await page.getByRole('button', { name: 'Bot Boots menu' }).click();
    await page.getByRole('list', { name: 'Menu' }).getByRole('button', { name: 'Talk to a person' }).click();
    await page.getByRole('status').filter({ hasText: 'A person will answer you here.' }).waitFor();
    await messageItem(page, 'You are now talking to a person.').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});

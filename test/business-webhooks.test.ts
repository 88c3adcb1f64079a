/**
 * A business's backend: webhooks signed with HMAC-SHA256 over the timestamp and the raw body,
 * retried with backoff under the same delivery id, processed once by a receiver that dedupes on
 * that id, dead-lettered after the last attempt and replayed by the operator or the business;
 * and invoices through payments, sent with the business's API key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { businessApi, FAST_WEBHOOKS, startBusinessHost } from './support/business-helpers.js';
import { eventually } from './support/eventually.js';
import { signatureValid, WebhookReceiver } from './support/webhook-receiver.js';

describe('business chat: webhooks and the backend', () => {
  let host: TestHost;
  let api: ReturnType<typeof businessApi>;
  let receiver: WebhookReceiver;
  let owner: TestUser;
  let businessId: string;
  let secret: string;
  let apiKey: string;

  beforeAll(async () => {
    receiver = await new WebhookReceiver().start();
    host = await startBusinessHost({ payments: true });
    api = businessApi(host);
    owner = await host.createUser();
    businessId = await api.createBusiness(owner);
    const hook = await api.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: receiver.url });
    expect(hook.status, JSON.stringify(hook.body)).toBe(200);
    secret = hook.body.secret;
    apiKey = (await api.call(owner, 'POST', `/businesses/${businessId}/api-keys`)).body.key;
  });
  afterAll(async () => {
    await host?.stop();
    await receiver?.stop();
  });

  it('verifies the URL with a signed ping before saving it, and signs every delivery', async () => {
    expect(secret).toMatch(/^whsec_[0-9a-f]{32}$/);
    const ping = receiver.received.find((d) => d.body.events[0]?.type === 'ping')!;
    expect(signatureValid(secret, ping.signature, ping.rawBody)).toBe(true);
    const refusing = await new WebhookReceiver().start();
    refusing.respond = () => 500;
    expect(
      (await api.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: refusing.url })).body.error.code,
    ).toBe('webhook_unreachable');
    await refusing.stop();
    expect(
      (await api.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url: 'ftp://example.com' })).body.error.code,
    ).toBe('invalid_business_request');
    // Credentials in the URL are bad input, refused before anything is sent.
    const pings = receiver.received.length;
    for (const url of [
      receiver.url.replace('://', '://user:pass@'),
      receiver.url.replace('://', '://user@'),
      receiver.url.replace('://', '://:pass@'),
    ]) {
      const withCredentials = await api.call(owner, 'PUT', `/businesses/${businessId}/webhook`, { url });
      expect(withCredentials.status, url).toBe(400);
      expect(withCredentials.body.error.code).toBe('invalid_business_request');
      expect(withCredentials.body.error.message).toMatch(/credentials in webhook URLs .*not allowed/i);
    }
    expect(receiver.received.length).toBe(pings);
    expect((await api.call(owner, 'GET', `/businesses/${businessId}/settings`)).body.webhookUrl).toBe(receiver.url);

    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    await api.customerSays(customer, thread.conversationId, 'signed?');
    const event = await receiver.waitForEvent((e) => e.type === 'message' && e.threadId === thread.threadId);
    const delivery = [...receiver.processed.values()].find((d) => d.body.events.includes(event))!;
    expect(delivery.deliveryId).toBe(delivery.body.deliveryId);
    expect(delivery.body.businessId).toBe(businessId);
    expect(signatureValid(secret, delivery.signature, delivery.rawBody)).toBe(true);
    // A changed body, or another secret, does not verify.
    expect(signatureValid(secret, delivery.signature, delivery.rawBody.replace('signed?', 'signed!'))).toBe(false);
    expect(signatureValid('whsec_other', delivery.signature, delivery.rawBody)).toBe(false);
  });

  it('retries a failing delivery with backoff under the same id; a receiver that dedupes on it processes it once', async () => {
    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    const mine = (d: { body: { events: any[] } }) =>
      d.body.events.some((e) => e.threadId === thread.threadId && e.type === 'message');
    // The first try is processed, but its answer is lost (the receiver answers 503), so the host tries again.
    let lost = 0;
    receiver.lostAnswer = (d) => mine(d) && lost++ === 0;
    await api.customerSays(customer, thread.conversationId, 'retry me');
    const tries = await eventually(
      () => (receiver.received.filter(mine).length >= 2 ? receiver.received.filter(mine) : null),
      { timeoutMs: 10_000, what: 'a retry' },
    );
    await eventually(async () =>
      (
        await api.call(owner, 'GET', `/businesses/${businessId}/webhook/deliveries?status=delivered`)
      ).body.deliveries.some((d: any) => d.deliveryId === tries[0]!.deliveryId),
    );
    expect(receiver.received.filter(mine)).toHaveLength(2);
    expect(tries[1]!.deliveryId).toBe(tries[0]!.deliveryId);
    expect(tries[1]!.rawBody).toBe(tries[0]!.rawBody);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(FAST_WEBHOOKS.backoffMs);
    expect(signatureValid(secret, tries[1]!.signature, tries[1]!.rawBody)).toBe(true);
    expect(receiver.events('message').filter((e) => e.threadId === thread.threadId)).toHaveLength(1);
    receiver.lostAnswer = () => false;
  });

  it('dead-letters a delivery after its last attempt; operators and the business replay it under the same id, exactly once', async () => {
    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    const mine = (d: { body: { events: any[] } }) =>
      d.body.events.some((e) => e.threadId === thread.threadId && e.type === 'message');
    receiver.respond = (d) => (mine(d) ? 500 : 200);
    await api.customerSays(customer, thread.conversationId, 'lost?');
    const dead = await eventually(
      async () =>
        (await api.call('admin', 'GET', `/admin/webhooks?status=dead&businessId=${businessId}`)).body.deliveries[0],
      { timeoutMs: 15_000, what: 'a dead letter' },
    );
    expect(dead).toMatchObject({
      businessId,
      status: 'dead',
      attempts: FAST_WEBHOOKS.maxAttempts,
      lastError: 'HTTP 500',
      events: 1,
    });
    expect(receiver.received.filter(mine)).toHaveLength(FAST_WEBHOOKS.maxAttempts);
    expect(receiver.events('message').filter((e) => e.threadId === thread.threadId)).toHaveLength(0);
    expect(
      (await api.call(owner, 'GET', `/businesses/${businessId}/webhook/deliveries?status=dead`)).body.deliveries.map(
        (d: any) => d.deliveryId,
      ),
    ).toEqual([dead.deliveryId]);
    expect(
      (await api.call(owner, 'GET', `/businesses/${businessId}/webhook/deliveries?status=gone`)).body.error.code,
    ).toBe('invalid_business_request');

    // The receiver is fixed; the operator replays.
    receiver.respond = () => 200;
    expect((await api.call(owner, 'POST', `/admin/webhooks/${dead.deliveryId}/replay`)).status).toBe(403);
    expect((await api.call('admin', 'POST', `/admin/webhooks/${dead.deliveryId}/replay`)).body).toEqual({
      replayed: true,
    });
    await receiver.waitForEvent((e) => e.type === 'message' && e.threadId === thread.threadId);
    expect(receiver.received.filter(mine).at(-1)!.deliveryId).toBe(dead.deliveryId);
    expect((await api.call('admin', 'POST', `/admin/webhooks/${dead.deliveryId}/replay`)).body.error.code).toBe(
      'delivery_not_found',
    );

    const delivered = await eventually(async () =>
      (
        await api.call(owner, 'GET', `/businesses/${businessId}/webhook/deliveries?status=delivered`)
      ).body.deliveries.find((d: any) => d.deliveryId === dead.deliveryId),
    );
    expect(delivered.attempts).toBe(1);
    expect(receiver.events('message').filter((e) => e.threadId === thread.threadId)).toHaveLength(1);
  });

  it('sends webhooks only to hosts the operator allows, and to private addresses only when named', async () => {
    // The manifest asks for any host ("*"); this operator narrows it to loopback by IP.
    const narrow = await startBusinessHost({
      grants: { 'http.outbound': { hosts: ['127.0.0.1:*', 'hooks.example.com'] } },
    });
    try {
      const n = businessApi(narrow);
      const admin = await narrow.createUser();
      const id = await n.createBusiness(admin);
      const byName = receiver.url.replace('127.0.0.1', 'localhost');
      expect((await n.call(admin, 'PUT', `/businesses/${id}/webhook`, { url: byName })).body.error.code).toBe(
        'webhook_url_not_allowed',
      );
      expect((await n.call(admin, 'PUT', `/businesses/${id}/webhook`, { url: receiver.url })).status).toBe(200);
    } finally {
      await narrow.stop();
    }
    // Granted as requested ("*"), webhooks reach the internet but not loopback or private networks.
    const wide = await startBusinessHost({ grants: {} });
    try {
      const w = businessApi(wide);
      const admin = await wide.createUser();
      const id = await w.createBusiness(admin);
      const refused = await w.call(admin, 'PUT', `/businesses/${id}/webhook`, { url: receiver.url });
      expect(refused.body.error.code).toBe('webhook_url_not_allowed');
      // Nor loopback inside a NAT64 or 6to4 address.
      const port = new URL(receiver.url).port;
      for (const url of [`http://[64:ff9b::7f00:1]:${port}/`, `http://[2002:7f00:1::1]:${port}/`]) {
        expect((await w.call(admin, 'PUT', `/businesses/${id}/webhook`, { url })).body.error.code, url).toBe(
          'webhook_url_not_allowed',
        );
      }
      expect(receiver.received.filter((d) => d.body.businessId === id)).toHaveLength(0);
    } finally {
      await wide.stop();
    }
  });

  it('sends order updates and receipts, and invoices through payments, with the API key', async () => {
    const customer = await host.createUser();
    const thread = await api.startThread(customer, businessId);
    const backend = (path: string, body: object) =>
      api.call(null, 'POST', path, { threadId: thread.threadId, ...body }, { authorization: `Bearer ${apiKey}` });
    const update = await backend('/api/messages', {
      tag: 'order_update',
      template: {
        type: 'order_update',
        orderNumber: 'A-7',
        status: 'out_for_delivery',
        trackingUrl: 'https://post.example/A-7',
      },
    });
    expect(update.status, JSON.stringify(update.body)).toBe(201);
    expect(update.body.content.type).toBe('business.order_update');
    const receipt = await backend('/api/messages', {
      tag: 'order_update',
      template: {
        type: 'receipt',
        recipientName: 'Sam',
        orderNumber: 'A-7',
        currency: 'EUR',
        elements: [{ title: 'Boots', priceMinor: 12000 }],
        summary: { totalMinor: 12000 },
      },
    });
    expect(receipt.status, JSON.stringify(receipt.body)).toBe(201);

    // The customer has not written yet: an invoice is a business message, so it needs a transactional tag.
    expect(
      (
        await backend('/api/invoices', {
          amountMinor: 1500,
          currency: 'EUR',
          description: 'Express shipping',
          idempotencyKey: 'ship-A-7',
        })
      ).body.error.code,
    ).toBe('outside_messaging_window');
    const invoice = await backend('/api/invoices', {
      amountMinor: 1500,
      currency: 'EUR',
      description: 'Express shipping',
      idempotencyKey: 'ship-A-7',
      tag: 'order_update',
    });
    expect(invoice.status, JSON.stringify(invoice.body)).toBe(201);
    expect(invoice.body).toMatchObject({ status: 'open', threadId: thread.threadId });
    expect(
      (
        await backend('/api/invoices', {
          amountMinor: 1500,
          currency: 'EUR',
          description: 'Express shipping',
          idempotencyKey: 'ship-A-7',
          tag: 'order_update',
        })
      ).body.requestId,
    ).toBe(invoice.body.requestId);
    expect(
      (
        await backend('/api/invoices', {
          amountMinor: -5,
          currency: 'EUR',
          description: 'x',
          idempotencyKey: 'neg',
          tag: 'order_update',
        })
      ).body.error.code,
    ).toBe('invalid_business_request');
    expect(
      (
        await api.call(
          null,
          'POST',
          '/api/invoices',
          { threadId: thread.threadId, amountMinor: 1 },
          { authorization: 'Bearer bk_nope' },
        )
      ).body.error.code,
    ).toBe('invalid_api_key');

    // The customer tops up with a (simulated) card, sets a PIN and pays; the backend hears the result.
    const funded = await host.http('POST', '/plugins/payments/topups', {
      token: customer.token,
      body: { amountMinor: 5000, currency: 'EUR', card: 'tok_visa', idempotencyKey: 'fund-1' },
    });
    expect(funded.status, JSON.stringify(funded.body)).toBe(201);
    expect(
      (await host.http('POST', '/plugins/payments/pin', { token: customer.token, body: { pin: '4321' } })).status,
    ).toBe(204);
    const paid = await host.http('POST', `/plugins/payments/requests/${invoice.body.requestId}/pay`, {
      token: customer.token,
      body: { pin: '4321', idempotencyKey: 'pay-1' },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.status).toBe('paid');
    expect(
      await receiver.waitForEvent((e) => e.type === 'invoice' && e.requestId === invoice.body.requestId),
    ).toMatchObject({ threadId: thread.threadId, status: 'paid', amountMinor: 1500, currency: 'EUR' });
  });
});

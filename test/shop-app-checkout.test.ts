/**
 * The shop mini-app with the shipped payments plugin: totals exact in minor units, one currency per
 * cart, and checkout through "payments.request" asking for one payment request per cart however
 * often /checkout is retried or races an add; a refused request or a disabled payments plugin keeps
 * the cart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestHost, type TestUser } from './support/start-test-host.js';
import { botOf, roomWith } from './support/plugin-helpers.js';
import { appHealth, waitForApp } from './support/sandbox-helpers.js';
import { paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { ISO, requestsApi } from './support/requests-helpers.js';
import { heldHook, heldHookPlugin } from './support/held-hook-plugin.js';
import { joinedShopper, MANIFEST, NOT_AVAILABLE, shopper } from './support/shop-helpers.js';

describe('the shop mini-app with the payments plugin', () => {
  let host: TestHost;
  let api: PaymentsApi;
  let rq: ReturnType<typeof requestsApi>;
  let ada: TestUser;
  let room: { id: string };
  let shop: ReturnType<typeof shopper>;
  let shopBot: string;
  const CATALOG = [
    { id: 'dime', name: 'Dime candy', priceMinor: 10, currency: 'EUR' },
    { id: 'gum', name: 'Gum', priceMinor: 20, currency: 'EUR' },
    { id: 'ramen', name: 'Ramen', priceMinor: 900, currency: 'JPY' },
    { id: 'gold', name: 'Gold bar', priceMinor: 100_000_000, currency: 'EUR' },
  ];

  beforeAll(async () => {
    host = await startPaymentsHost({
      settings: { limits: { perTransferMinor: 1_000_000 } },
      plugins: [
        { path: MANIFEST, settings: { catalog: CATALOG } },
        // Holds the payments plugin's request message when a test asks, so that a checkout is in flight for sure.
        heldHookPlugin(),
      ],
    });
    api = paymentsApi(host);
    rq = requestsApi(host, api);
    await waitForApp(host, 'shop');
    ada = await host.createUser();
    // payments posts each request in the conversation, so its bot is a member too.
    room = await roomWith(host, ada, ['shop', 'payments']);
    shop = shopper(host, () => room.id);
    shopBot = await botOf(host, 'shop');
  });
  afterAll(async () => {
    await host?.stop();
  });

  const newShopper = () => joinedShopper(host, ada, room.id);
  /** The payment requests the user was asked to pay, oldest first. */
  const requestsOf = async (user: TestUser): Promise<any[]> => {
    const res = await api.call(user, 'GET', '/requests');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return [...res.body.incoming].reverse();
  };
  const PLACED =
    /^Order placed: payment request ([0-9a-f-]{36}) \(open\) for (\d+\.\d\d) EUR\. Your cart is empty now\.$/;

  it('totals exactly (10 + 20 cents is 0.30 EUR) and keeps one currency per cart', async () => {
    const user = await newShopper();
    await shop.command(user, '/add dime');
    expect(await shop.command(user, '/add gum')).toBe(
      'Added 1 × Gum. Your cart: 2 items, 0.30 EUR. /cart to see it, /checkout to pay.',
    );
    expect(await shop.command(user, '/add ramen')).toBe(
      'Your cart is in EUR and Ramen is priced in JPY: check out or empty your cart first.',
    );
    const other = await newShopper();
    expect(await shop.command(other, '/add ramen 3')).toBe(
      'Added 3 × Ramen. Your cart: 3 items, 2700 JPY. /cart to see it, /checkout to pay.',
    );
  });

  it('checks out once: payments posts the order as a request, the cart is emptied and the reply names the request', async () => {
    const user = await newShopper();
    await shop.command(user, '/add dime 3');
    await shop.command(user, '/add gum');
    const reply = await shop.command(user, '/checkout');
    const requestId = PLACED.exec(reply!)?.[1];
    expect(requestId, reply!).toBeDefined();
    expect((await requestsOf(user)).map((r) => r.requestId)).toEqual([requestId]);
    expect((await rq.message(user, room.id, requestId!)).content.body).toEqual({
      requestId,
      kind: 'invoice',
      payerId: user.id,
      payeeId: shopBot,
      pluginId: 'shop',
      amountMinor: 50,
      currency: 'EUR',
      description: 'Shop order: 3 × Dime candy, 1 × Gum',
      lines: [
        { itemId: 'dime', name: 'Dime candy', qty: 3, unitMinor: 10, lineMinor: 30 },
        { itemId: 'gum', name: 'Gum', qty: 1, unitMinor: 20, lineMinor: 20 },
      ],
      status: 'open',
      reason: null,
      expiresAt: expect.stringMatching(ISO),
    });
    expect(await shop.command(user, '/cart')).toBe('Your cart is empty. See /catalog, then /add <item> [qty].');
    // A repeated /checkout (say the reply was lost) does not ask again.
    expect(await shop.command(user, '/checkout')).toBe(
      `Your cart is empty. Your last order was payment request ${requestId} (open) for 0.50 EUR.`,
    );
    expect(await requestsOf(user)).toHaveLength(1);

    // The next cart is a new order, with a new idempotency key: payments makes a new request.
    await shop.command(user, '/add gum');
    const next = PLACED.exec((await shop.command(user, '/checkout'))!);
    expect(next?.[2]).toBe('0.20');
    expect((await requestsOf(user)).map((r) => r.requestId)).toEqual([requestId, next![1]]);
  });

  it('asks once when the same cart is checked out again while its checkout is under way', async () => {
    const user = await newShopper();
    await shop.command(user, '/add dime 2');
    // The first checkout is held inside payments.request (its request message waits in the hook).
    const held = heldHook.holdNext('payments.request');
    const first = shop.command(user, '/checkout');
    try {
      await held;
      expect(await shop.command(user, '/checkout')).toBe('Your checkout is already under way; see /cart in a moment.');
    } finally {
      heldHook.release();
    }
    const requestId = PLACED.exec((await first)!)?.[1];
    expect(requestId).toBeDefined();
    expect((await requestsOf(user)).map((r) => r.requestId)).toEqual([requestId]);
    expect(await shop.command(user, '/checkout')).toBe(
      `Your cart is empty. Your last order was payment request ${requestId} (open) for 0.20 EUR.`,
    );
    expect(await shop.command(user, '/cart')).toBe('Your cart is empty. See /catalog, then /add <item> [qty].');
  });

  it('never asks twice for a line when checkouts and an add race each other', async () => {
    const user = await newShopper();
    await shop.command(user, '/add dime 2');
    await Promise.all([
      shop.command(user, '/checkout'),
      shop.command(user, '/add gum'),
      shop.command(user, '/checkout'),
    ]);
    // Whatever the order: what was asked for plus what is left is what was added, 2 × 10 + 20.
    const asked = (await requestsOf(user)).reduce((sum, r) => sum + r.amountMinor, 0);
    const left = /Total: (\d+)\.(\d\d) EUR$/.exec((await shop.command(user, '/cart'))!);
    expect(asked + (left ? Number(left[1]) * 100 + Number(left[2]) : 0)).toBe(40);
  });

  it('keeps the cart when payments refuses the request, and asks nothing', async () => {
    const user = await newShopper();
    await shop.command(user, '/add gold');
    const cart = await shop.command(user, '/cart');
    expect(cart).toMatch(/\nTotal: 1000000\.00 EUR$/);
    const refused =
      'Payments are not available for this order: A payment may be at most 1000000 minor units. Nothing was charged and your cart is kept.';
    expect(await shop.command(user, '/checkout')).toBe(`${refused}\n${cart}`);
    expect(await shop.command(user, '/checkout')).toBe(`${refused}\n${cart}`);
    expect(await shop.command(user, '/cart')).toBe(cart);
    expect(await requestsOf(user)).toEqual([]);
  });

  it('keeps the cart while the payments plugin is disabled, and checks out once it is back', async () => {
    const user = await newShopper();
    await shop.command(user, '/add gum 2');
    const cart = await shop.command(user, '/cart');
    expect((await host.http('POST', '/v1/admin/plugins/payments/disable', { token: 'admin' })).status).toBe(200);
    try {
      expect(await shop.command(user, '/checkout')).toBe(`${NOT_AVAILABLE}\n${cart}`);
      expect(await shop.command(user, '/cart')).toBe(cart);
    } finally {
      expect((await host.http('POST', '/v1/admin/plugins/payments/enable', { token: 'admin' })).status).toBe(200);
    }
    expect(PLACED.exec((await shop.command(user, '/checkout'))!)?.[2]).toBe('0.40');
    expect(await requestsOf(user)).toHaveLength(1);
  });

  it('ran every event without a failure in its sandbox', async () => {
    expect(await appHealth(host, 'shop')).toMatchObject({
      state: 'running',
      restarts: 0,
      failedEvents: 0,
      lastFailure: null,
    });
  });
});

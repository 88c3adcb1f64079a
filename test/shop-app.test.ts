/**
 * The shop mini-app (plugins/shop, manifests/shop.json), enabled by its shipped manifest and run
 * in the sandbox: the catalog from settings, one cart per user per conversation with totals in
 * integer minor units, and checkout through "payments.request". Without the payments plugin,
 * checkout must say so and keep the cart; with the shipped payments plugin it asks for one payment
 * request per cart, however often /checkout is retried.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory, repoRoot } from './support/e2e.js';
import { botOf, enable, pluginLogs, pluginStatus, roomWith, runCommand } from './support/plugin-helpers.js';
import { appHealth, waitForApp } from './support/sandbox-helpers.js';
import { paymentsApi, startPaymentsHost, type PaymentsApi } from './support/payments-helpers.js';
import { ISO, requestsApi } from './support/requests-helpers.js';
import { heldHook } from './fixtures/plugins/held-hook/index.js';

const MANIFEST = join(repoRoot, 'manifests/shop.json');
const HELD_HOOK_ENTRY = join(repoRoot, 'test/fixtures/plugins/held-hook/index.ts');
const NOT_AVAILABLE =
  'Payments are not available right now; try /checkout again later. Nothing was charged and your cart is kept.';

/** A shop client for one host and room: commands and taps over HTTP, answered only to the caller. */
function shopper(host: TestHost, roomId: () => string) {
  return {
    async command(user: TestUser, text: string, conversationId = roomId()): Promise<string | null> {
      const res = await runCommand(host, user, conversationId, text);
      expect(res.status, `${text}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.plugin).toBe('shop');
      return res.body.reply?.text ?? null;
    },
    async tap(user: TestUser, messageId: string, buttonId: string): Promise<string> {
      const res = await host.http('POST', `/v1/conversations/${roomId()}/postbacks`, {
        token: user.token,
        body: { messageId, buttonId },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.reply.text;
    },
  };
}

/** A new user whom `owner` adds to the shop's room. */
async function joinedShopper(host: TestHost, owner: TestUser, roomId: string): Promise<TestUser> {
  const user = await host.createUser();
  expect(
    (
      await host.http('POST', `/v1/conversations/${roomId}/members`, {
        token: owner.token,
        body: { userIds: [user.id] },
      })
    ).status,
  ).toBe(200);
  return user;
}

describe('the shop mini-app, as shipped: default catalog, no payments plugin', () => {
  let host: TestHost;
  let ada: TestUser;
  let room: { id: string };
  let shop: ReturnType<typeof shopper>;

  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled: [{ path: MANIFEST }] } } });
    expect(await pluginStatus(host, 'shop')).toMatchObject({ status: 'running', error: null, refused: [] });
    await waitForApp(host, 'shop');
    ada = await host.createUser();
    room = await roomWith(host, ada, ['shop']);
    shop = shopper(host, () => room.id);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const newShopper = () => joinedShopper(host, ada, room.id);

  async function postCatalog(user: TestUser): Promise<any> {
    expect(await shop.command(user, '/catalog')).toBeNull();
    const cards = (await fullHistory(host.url, user.token, room.id)).filter(
      (m) => m.content?.type === 'interactive.card',
    );
    return cards.at(-1);
  }

  it('posts the default catalog from its settings as a card with an "Add" button per item', async () => {
    const card = await postCatalog(ada);
    expect(card.senderId).toBe((await pluginStatus(host, 'shop')).botUserId);
    expect(card.content.body).toEqual({
      text:
        'For sale:\n' +
        '• Coffee beans, 250 g (coffee): 12.90 EUR\n' +
        '• Switchboard mug (mug): 9.90 EUR\n' +
        '• T-shirt (tshirt): 19.00 EUR\n' +
        '• Sticker pack (stickers): 3.50 EUR\n' +
        'Tap to add one to your cart, or type /add <item> [qty].',
      buttons: [
        { id: 'add:coffee', label: 'Add Coffee beans, 250 g' },
        { id: 'add:mug', label: 'Add Switchboard mug' },
        { id: 'add:tshirt', label: 'Add T-shirt' },
        { id: 'add:stickers', label: 'Add Sticker pack' },
      ],
      quickReplies: [{ id: 'cart', label: 'My cart' }],
    });
  });

  it('adds and removes items, and totals the cart in integer minor units', async () => {
    const user = await newShopper();
    expect(await shop.command(user, '/cart')).toBe('Your cart is empty. See /catalog, then /add <item> [qty].');
    expect(await shop.command(user, '/add coffee 2')).toBe(
      'Added 2 × Coffee beans, 250 g. Your cart: 2 items, 25.80 EUR. /cart to see it, /checkout to pay.',
    );
    expect(await shop.command(user, '/add MUG')).toBe(
      'Added 1 × Switchboard mug. Your cart: 3 items, 35.70 EUR. /cart to see it, /checkout to pay.',
    );
    expect(await shop.command(user, '/add stickers 3')).toMatch(/: 6 items, 46\.20 EUR\./);
    expect(await shop.command(user, '/add coffee 1')).toMatch(/: 7 items, 59\.10 EUR\./);
    expect(await shop.command(user, '/cart')).toBe(
      'Your cart:\n' +
        '3 × Coffee beans, 250 g (coffee) at 12.90 EUR = 38.70 EUR\n' +
        '1 × Switchboard mug (mug) at 9.90 EUR = 9.90 EUR\n' +
        '3 × Sticker pack (stickers) at 3.50 EUR = 10.50 EUR\n' +
        'Total: 59.10 EUR',
    );
    expect(await shop.command(user, '/remove mug')).toBe(
      'Removed mug.\nYour cart:\n' +
        '3 × Coffee beans, 250 g (coffee) at 12.90 EUR = 38.70 EUR\n' +
        '3 × Sticker pack (stickers) at 3.50 EUR = 10.50 EUR\n' +
        'Total: 49.20 EUR',
    );

    // The card's buttons add one; its quick reply shows the tapper's cart.
    const card = await postCatalog(ada);
    expect(await shop.tap(user, card.id, 'add:tshirt')).toBe(
      'Added 1 × T-shirt. Your cart: 7 items, 68.20 EUR. /cart to see it, /checkout to pay.',
    );
    expect(await shop.tap(user, card.id, 'cart')).toBe(await shop.command(user, '/cart'));
    expect(await shop.command(user, '/cart')).toMatch(
      /\n1 × T-shirt \(tshirt\) at 19\.00 EUR = 19\.00 EUR\nTotal: 68\.20 EUR$/,
    );
  });

  it('keeps one cart per user per conversation', async () => {
    const [one, two] = [await newShopper(), await newShopper()];
    await shop.command(one, '/add mug 2');
    expect(await shop.command(two, '/cart')).toBe('Your cart is empty. See /catalog, then /add <item> [qty].');
    const elsewhere = await roomWith(host, one, ['shop'], [two]);
    expect(await shop.command(one, '/cart', elsewhere.id)).toBe(
      'Your cart is empty. See /catalog, then /add <item> [qty].',
    );
    await shop.command(one, '/add tshirt', elsewhere.id);
    expect(await shop.command(one, '/cart', elsewhere.id)).toMatch(
      /^Your cart:\n1 × T-shirt \(tshirt\) at 19\.00 EUR = 19\.00 EUR\nTotal: 19\.00 EUR$/,
    );
    expect(await shop.command(one, '/cart')).toMatch(
      /^Your cart:\n2 × Switchboard mug \(mug\) at 9\.90 EUR = 19\.80 EUR\nTotal: 19\.80 EUR$/,
    );
  });

  it('answers unknown items, bad quantities and bad removals clearly, changing nothing', async () => {
    const user = await newShopper();
    await shop.command(user, '/add mug 98');
    const cart = await shop.command(user, '/cart');
    const cases: [string, string][] = [
      ['/add', 'Usage: /add <item> [qty], e.g. /add coffee 2. Items: coffee, mug, tshirt, stickers.'],
      ['/add caviar', 'There is no item "caviar". Items: coffee, mug, tshirt, stickers.'],
      ['/add caviar 2', 'There is no item "caviar". Items: coffee, mug, tshirt, stickers.'],
      ...['0', '-1', '1.5', 'two', '100', '007', '1e2'].map((qty): [string, string] => [
        `/add mug ${qty}`,
        `The quantity must be a whole number from 1 to 99, not "${qty}".`,
      ]),
      ['/add mug 2', 'At most 99 of one item per cart; you would have 100 × Switchboard mug.'],
      ['/remove', 'Usage: /remove <item>: takes the item out of your cart.'],
      ['/remove caviar', '"caviar" is not in your cart. See /cart.'],
      ['/remove coffee', '"coffee" is not in your cart. See /cart.'],
    ];
    for (const [text, expected] of cases) expect(await shop.command(user, text), text).toBe(expected);
    expect(await shop.command(user, '/cart')).toBe(cart);
    expect(await shop.command(user, '/add mug')).toMatch(/: 99 items, 980\.10 EUR\./);
  });

  it('counts every add when one user taps and types at the same moment', async () => {
    const user = await newShopper();
    const card = await postCatalog(ada);
    // Three bursts: each must lose nothing (one burst may happen not to overlap; three rarely all do).
    for (let burst = 0; burst < 3; burst++) {
      await Promise.all([
        ...Array.from({ length: 10 }, () => shop.tap(user, card.id, 'add:stickers')),
        shop.command(user, '/add stickers 2'),
        ...(burst === 0 ? [shop.command(user, '/add coffee')] : []),
      ]);
    }
    // Lines keep the order they were first added in, which the race decides.
    const lines = (await shop.command(user, '/cart'))!.split('\n');
    expect(lines[0]).toBe('Your cart:');
    expect(lines.slice(1, 3).sort()).toEqual([
      '1 × Coffee beans, 250 g (coffee) at 12.90 EUR = 12.90 EUR',
      '36 × Sticker pack (stickers) at 3.50 EUR = 126.00 EUR',
    ]);
    expect(lines.slice(3)).toEqual(['Total: 138.90 EUR']);
  });

  it('checkout without a payments plugin says payments are not available and keeps the cart', async () => {
    const user = await newShopper();
    expect(await shop.command(user, '/checkout')).toBe('Your cart is empty. See /catalog.');
    await shop.command(user, '/add coffee');
    await shop.command(user, '/add mug 2');
    const cart = await shop.command(user, '/cart');
    expect(cart).toMatch(/\nTotal: 32\.70 EUR$/);
    expect(await shop.command(user, '/checkout')).toBe(`${NOT_AVAILABLE}\n${cart}`);
    expect(await shop.command(user, '/cart')).toBe(cart);
    // Trying again is allowed (the claim on the cart was released) and answers the same.
    expect(await shop.command(user, '/checkout')).toBe(`${NOT_AVAILABLE}\n${cart}`);
    expect(await shop.command(user, '/cart')).toBe(cart);
    const logged = (await pluginLogs(host, 'shop')).filter((e) => e.message === 'checkout: payments.request failed');
    expect(logged.at(-1)?.data).toEqual({ code: 'unavailable' });
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
        enable({
          id: 'held-hook',
          name: 'Held hook',
          version: '1.0.0',
          description: 'Holds a message until the test lets it go.',
          author: 'Switchboard tests',
          engine: '^1.0.0',
          runtime: 'trusted',
          entry: HELD_HOOK_ENTRY,
          permissions: { hooks: {} },
          contributes: { hooks: [{ point: 'message.beforeStore', failMode: 'open', timeoutMs: 5_000 }] },
        }),
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

describe('the shop mini-app under operator decisions', () => {
  let host: TestHost;
  const shipped = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, any>;
  /** The shipped manifest under another id, so that one host can run it with other settings. */
  const copy = (id: string) => ({ ...shipped, id, entry: join(repoRoot, 'plugins/shop/index.ts') });

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            { path: MANIFEST, grants: { 'services.call': false } },
            enable(copy('shop-twice'), {
              settings: {
                catalog: [
                  { id: 'mug', name: 'Mug', priceMinor: 1, currency: 'EUR' },
                  { id: 'mug', name: 'Mug 2', priceMinor: 2, currency: 'EUR' },
                ],
              },
            }),
            enable(copy('shop-floats'), {
              settings: { catalog: [{ id: 'mug', name: 'Mug', priceMinor: 9.9, currency: 'EUR' }] },
            }),
            enable(copy('shop-tiny'), { grants: { storage: { quotaBytes: 100 } } }),
          ],
        },
      },
    });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('says payments are not allowed when the operator refused services.call, and keeps the cart', async () => {
    expect(await pluginStatus(host, 'shop')).toMatchObject({ status: 'running', refused: ['services.call'] });
    const user = await host.createUser();
    const room = await roomWith(host, user, ['shop']);
    const shop = shopper(host, () => room.id);
    await shop.command(user, '/add tshirt');
    const cart = await shop.command(user, '/cart');
    expect(await shop.command(user, '/checkout')).toBe(
      'Payments are not available: the operator has not allowed this shop to request payments. ' +
        `Nothing was charged and your cart is kept.\n${cart}`,
    );
    expect(await shop.command(user, '/cart')).toBe(cart);
  });

  it('says so when its storage quota is used up, and keeps nothing', async () => {
    const user = await host.createUser();
    const room = await roomWith(host, user, ['shop-tiny']);
    const res = await runCommand(host, user, room.id, '/add mug');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      plugin: 'shop-tiny',
      reply: { text: 'The shop has used up its storage, so nothing was changed. Ask the operator to raise its quota.' },
    });
    expect((await runCommand(host, user, room.id, '/cart')).body.reply.text).toBe(
      'Your cart is empty. See /catalog, then /add <item> [qty].',
    );
  });

  it('refuses a catalog with a duplicate id, or a price that is not an integer of minor units', async () => {
    const twice = await pluginStatus(host, 'shop-twice');
    expect(twice.status).toBe('failed');
    expect(twice.error?.code).toBe('plugin_start_failed');
    expect(twice.error?.message).toContain('settings.catalog lists the item id "mug" twice');
    const floats = await pluginStatus(host, 'shop-floats');
    expect(floats.status).toBe('failed');
    expect(floats.error?.code).toBe('plugin_settings_invalid');
    expect(JSON.stringify(floats.error)).toContain('/catalog/0/priceMinor');
  });
});

/**
 * The shop mini-app (plugins/shop, manifests/shop.json) as shipped, enabled by its manifest and run
 * in the sandbox without a payments plugin: the default catalog from settings, one cart per user per
 * conversation with totals in integer minor units, and a checkout that says payments are not
 * available and keeps the cart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { pluginLogs, pluginStatus, roomWith } from './support/plugin-helpers.js';
import { appHealth, waitForApp } from './support/sandbox-helpers.js';
import { joinedShopper, MANIFEST, NOT_AVAILABLE, shopper } from './support/shop-helpers.js';

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

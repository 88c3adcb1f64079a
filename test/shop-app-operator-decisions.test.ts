/**
 * The shop mini-app under operator decisions: services.call refused (checkout says payments are not
 * allowed, cart kept), a storage quota used up, and catalogs in settings that are refused (duplicate
 * item id, non-integer price).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { enable, pluginStatus, roomWith, runCommand } from './support/plugin-helpers.js';
import { MANIFEST, shopper } from './support/shop-helpers.js';

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

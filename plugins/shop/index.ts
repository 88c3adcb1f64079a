/**
 * A small shop, as a sandboxed mini-app: the catalog comes from the operator's settings,
 * `/catalog` posts it as a card with "Add" buttons, `/add`, `/remove` and `/cart` keep one cart
 * per user per conversation in storage, and `/checkout` asks the payments plugin's service
 * `payments.request` for the total (see checkout.ts for what it sends). It shows settings with
 * defaults, cards and postbacks, compare-and-set storage, and calling another plugin's service,
 * including what to do when that plugin is absent. It imports only the SDK.
 */
import { defineApp, type AppContext } from '../../sdk/index.js';
import { checkCatalog, findItem, itemIds, type CatalogItem, type ShopSettings } from './catalog.js';
import {
  addItem,
  cartKey,
  cartText,
  MAX_QTY,
  newCart,
  parseQty,
  priceCart,
  removeItem,
  type Cart,
  type CartChange,
} from './cart.js';
import { checkout } from './checkout.js';
import { paymentResult, preCheckout } from './payment-callbacks.js';
import { errorCodeOf as errorCode, updateStored as update, whenStorageFull } from '../../sdk/index.js';
import { formatMoney } from './money.js';

/** What a user hears when the storage quota is full (for the operator to fix). */
const FULL = 'The shop has used up its storage, so nothing was changed. Ask the operator to raise its quota.';

const ADD_BUTTON = 'add:';
const CART_BUTTON = 'cart';

export default defineApp<ShopSettings>({
  start(ctx) {
    const catalog = ctx.settings.catalog;
    checkCatalog(catalog);

    ctx.commands.handle('catalog', async ({ conversationId }) => {
      const list = `For sale:\n${catalog.map((item) => `• ${item.name} (${item.id}): ${formatMoney(item.priceMinor, item.currency)}`).join('\n')}`;
      try {
        await ctx.interactive.send(conversationId, {
          text: `${list}\nTap to add one to your cart, or type /add <item> [qty].`,
          buttons: catalog.map((item) => ({ id: `${ADD_BUTTON}${item.id}`, label: `Add ${item.name}`.slice(0, 80) })),
          quickReplies: [{ id: CART_BUTTON, label: 'My cart' }],
        });
      } catch (err) {
        // Past the app's sends per minute (sandbox_limit), say: the caller still gets the list.
        ctx.log.info('catalog card not posted', { code: errorCode(err) });
        return { text: `${list}\nType /add <item> [qty] to add to your cart.` };
      }
    });

    ctx.commands.handle(
      'add',
      whenStorageFull(FULL, async ({ conversationId, userId, args }) => {
        if (args.item === undefined)
          return {
            text: `Usage: /add <item> [qty], e.g. /add ${catalog[0]?.id ?? 'mug'} 2. Items: ${itemIds(catalog)}.`,
          };
        const item = findItem(catalog, String(args.item));
        if (!item) return { text: `There is no item "${String(args.item)}". Items: ${itemIds(catalog)}.` };
        const qty = parseQty(args.qty);
        if (qty === null)
          return { text: `The quantity must be a whole number from 1 to ${MAX_QTY}, not "${String(args.qty)}".` };
        return { text: await add(ctx, conversationId, userId, item, qty) };
      }),
    );

    ctx.commands.handle(
      'remove',
      whenStorageFull(FULL, async ({ conversationId, userId, args }) => {
        if (args.item === undefined) return { text: 'Usage: /remove <item>: takes the item out of your cart.' };
        const itemId = String(args.item);
        const { result } = await change(ctx, conversationId, userId, (cart) => removeItem(cart, itemId));
        return {
          text: result.ok
            ? `Removed ${itemId.toLowerCase()}.\n${cartText(priceCart(result.cart, catalog))}`
            : result.error,
        };
      }),
    );

    ctx.commands.handle('cart', async ({ conversationId, userId }) => ({
      text: await showCart(ctx, conversationId, userId),
    }));

    ctx.commands.handle(
      'checkout',
      whenStorageFull(FULL, async ({ conversationId, userId }) => ({
        text: await checkout(ctx, conversationId, userId),
      })),
    );

    // The payments plugin asks before charging an order, and says how it ended (payment-callbacks.ts).
    ctx.services.provide('preCheckout', (input, caller) => preCheckout(ctx, input, caller));
    ctx.services.provide('paymentResult', (input, caller) => paymentResult(ctx, input, caller));

    // Taps on the catalog card: "add:<item>" adds one, "cart" shows the tapper's cart.
    ctx.interactive.onPostback(
      whenStorageFull(FULL, async ({ conversationId, userId, buttonId }) => {
        if (buttonId === CART_BUTTON) return { text: await showCart(ctx, conversationId, userId) };
        const item = buttonId.startsWith(ADD_BUTTON) ? findItem(catalog, buttonId.slice(ADD_BUTTON.length)) : undefined;
        // A card posted before the operator changed the catalog may offer an item no longer sold.
        if (!item) return { text: 'That item is no longer sold. See /catalog.' };
        return { text: await add(ctx, conversationId, userId, item, 1) };
      }),
    );
  },
});

async function add(
  ctx: AppContext<ShopSettings>,
  conversationId: string,
  userId: string,
  item: CatalogItem,
  qty: number,
): Promise<string> {
  const { result } = await change(ctx, conversationId, userId, (cart) =>
    addItem(cart, item, qty, ctx.settings.catalog),
  );
  if (!result.ok) return result.error;
  const priced = priceCart(result.cart, ctx.settings.catalog);
  const count = priced.lines.reduce((n, l) => n + l.qty, 0);
  return `Added ${qty} × ${item.name}. Your cart: ${count} ${count === 1 ? 'item' : 'items'}, ${formatMoney(priced.totalMinor, priced.currency ?? item.currency)}. /cart to see it, /checkout to pay.`;
}

async function showCart(ctx: AppContext<ShopSettings>, conversationId: string, userId: string): Promise<string> {
  const stored = await ctx.storage.get<Cart>(cartKey(conversationId, userId));
  return cartText(priceCart(stored?.value ?? newCart(), ctx.settings.catalog));
}

/** Applies a cart change with compare-and-set: two taps at once both count. */
function change(
  ctx: AppContext<ShopSettings>,
  conversationId: string,
  userId: string,
  apply: (cart: Cart) => CartChange,
) {
  return update<Cart, CartChange>(ctx.storage, cartKey(conversationId, userId), (current) => {
    const result = apply(current?.value ?? newCart());
    return result.ok ? { write: result.cart, result } : { result };
  });
}

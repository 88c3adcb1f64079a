import type { AppContext } from '../../sdk/index.js';
import type { ShopSettings } from './catalog.js';
import { cartKey, cartText, priceCart, withoutOrdered, type Cart, type CartLine, type LastOrder } from './cart.js';
import { errorCodeOf as errorCode, PluginError, updateStored as update } from '../../sdk/index.js';
import { formatMoney } from './money.js';
import { paymentKey, type PaymentRecord } from './payment-callbacks.js';

/**
 * The input this app sends to the payments plugin's service, `payments.request`:
 *
 * - `payerId`: the user who typed /checkout (the one to be asked to pay);
 * - `conversationId`: where they checked out;
 * - `currency`: ISO 4217 code of every line;
 * - `amountMinor`: the total, an integer in minor units (cents), the sum of the lines;
 * - `description`: one line for the payer, e.g. "Shop order: 2 × Mug, 1 × Sticker pack";
 * - `lines`: `{ itemId, name, qty, unitMinor, lineMinor }` each, integers in minor units;
 * - `idempotencyKey`: the same for every retry of the checkout of one cart version, so a
 *   provider that honours it asks once however often the call is repeated.
 *
 * It expects `{ requestId: string, status: string }` back (the payments plugin answers
 * `{ requestId, status: 'open' }` and posts the request for the payer to confirm). Until a
 * payments plugin runs (and the operator grants this app `services.call` for it) the call fails,
 * and the checkout says that payments are not available and keeps the cart. Before charging,
 * payments calls this app's `shop.preCheckout`, and afterwards `shop.paymentResult`
 * (payment-callbacks.ts).
 */
export interface PaymentRequestInput {
  payerId: string;
  conversationId: string;
  currency: string;
  amountMinor: number;
  description: string;
  lines: { itemId: string; name: string; qty: number; unitMinor: number; lineMinor: number }[];
  idempotencyKey: string;
}

export interface PaymentRequestOutput {
  requestId: string;
  status: string;
}

export const PAYMENTS_SERVICE = 'payments.request';

/** An order, under `order/<conversationId>/<userId>/<cart version>`: the cart version it paid for. */
type OrderRecord = LastOrder & { lines: CartLine[] };

/**
 * Held while one checkout of a user's cart in a conversation runs, so that a second /checkout
 * (of the same cart, or of the cart with an item added meanwhile) cannot ask for the same lines
 * again. It expires by itself should the app be stopped mid-call.
 */
const lockKey = (conversationId: string, userId: string) => `checkout-lock/${conversationId}/${userId}`;
const LOCK_TTL_SECONDS = 60;

export async function checkout(ctx: AppContext<ShopSettings>, conversationId: string, userId: string): Promise<string> {
  const key = cartKey(conversationId, userId);
  const stored = await ctx.storage.get<Cart>(key);
  if (!stored || stored.value.lines.length === 0) {
    const last = stored?.value.lastOrder;
    if (!last) return 'Your cart is empty. See /catalog.';
    // How the payment ended, once the payments plugin said so (payment-callbacks.ts).
    const status = (await ctx.storage.get<PaymentRecord>(paymentKey(last.requestId)))?.value.status ?? last.status;
    return `Your cart is empty. Your last order was payment request ${last.requestId} (${status}) for ${formatMoney(last.amountMinor, last.currency)}.`;
  }
  const cart = stored.value;
  const orderKey = `order/${conversationId}/${userId}/${stored.version}`;

  // This very cart version was already paid for: a retry after the order was recorded but
  // before the cart was emptied. Finish the job without asking again.
  const previous = await ctx.storage.get<OrderRecord>(orderKey);
  if (previous) return finish(ctx, key, previous.value, previous.value.lines);

  const priced = priceCart(cart, ctx.settings.catalog);
  if (priced.unavailable.length > 0)
    return `${priced.unavailable.join(', ')} ${priced.unavailable.length === 1 ? 'is' : 'are'} no longer sold; remove ${priced.unavailable.length === 1 ? 'it' : 'them'} with /remove first.`;
  const currency = priced.currency!;
  const ordered: CartLine[] = cart.lines.map((l) => ({ itemId: l.itemId, qty: l.qty }));
  const idempotencyKey = `shop-${cart.id}-${stored.version}`;

  let lock: { version: number };
  try {
    lock = await ctx.storage.set(
      lockKey(conversationId, userId),
      { cartVersion: stored.version },
      { ifVersion: 0, ttlSeconds: LOCK_TTL_SECONDS },
    );
  } catch (err) {
    if (errorCode(err) === 'storage_conflict') return 'Your checkout is already under way; see /cart in a moment.';
    throw err;
  }
  try {
    const input: PaymentRequestInput = {
      payerId: userId,
      conversationId,
      currency,
      amountMinor: priced.totalMinor,
      description: `Shop order: ${priced.lines.map((l) => `${l.qty} × ${l.name}`).join(', ')}`.slice(0, 500),
      lines: priced.lines,
      idempotencyKey,
    };
    let output: PaymentRequestOutput;
    try {
      output = answerOf(await ctx.services.call(PAYMENTS_SERVICE, input));
    } catch (err) {
      ctx.log.info('checkout: payments.request failed', { code: errorCode(err) });
      return `${refusal(err)} Nothing was charged and your cart is kept.\n${cartText(priced)}`;
    }
    const order: OrderRecord = {
      requestId: output.requestId,
      status: output.status,
      amountMinor: priced.totalMinor,
      currency,
      idempotencyKey,
      lines: ordered,
    };
    try {
      await ctx.storage.set(orderKey, order, { ifVersion: 0 });
    } catch (err) {
      // The quota, most likely. The cart is still emptied below; were it not, a retry would send
      // the same idempotency key, which the payments plugin answers with the same request.
      ctx.log.warn('checkout: the order could not be recorded', { code: errorCode(err), orderKey });
    }
    return await finish(ctx, key, order, ordered);
  } finally {
    // Let the next checkout run (a later /checkout tries again with the same idempotency key).
    await ctx.storage.delete(lockKey(conversationId, userId), { ifVersion: lock.version }).catch(() => false);
  }
}

/** Empties the cart of what was ordered and answers with the request id. */
async function finish(
  ctx: AppContext<ShopSettings>,
  key: string,
  order: LastOrder,
  ordered: CartLine[],
): Promise<string> {
  const lastOrder: LastOrder = {
    requestId: order.requestId,
    status: order.status,
    amountMinor: order.amountMinor,
    currency: order.currency,
    idempotencyKey: order.idempotencyKey,
  };
  const placed = `Order placed: payment request ${order.requestId} (${order.status}) for ${formatMoney(order.amountMinor, order.currency)}.`;
  try {
    const { value } = await update<Cart, null>(ctx.storage, key, (current) =>
      // Taken out once only, should two checkouts of one cart version both get here.
      current && current.value.lastOrder?.idempotencyKey !== order.idempotencyKey
        ? { write: withoutOrdered(current.value, ordered, lastOrder), result: null }
        : { result: null },
    );
    return `${placed}${value && value.lines.length > 0 ? ' Items you added during the checkout are still in your cart.' : ' Your cart is empty now.'}`;
  } catch (err) {
    // The payment was requested: say so whatever happened to the cart. The stored order makes
    // the next /checkout of this cart finish emptying it without asking again.
    ctx.log.warn('checkout: the cart could not be emptied', { code: errorCode(err) });
    return `${placed} Your cart could not be emptied just now; /checkout again to finish (you will not be asked to pay twice).`;
  }
}

/** The provider's answer, checked: this app trusts no shape it did not verify. */
function answerOf(value: unknown): PaymentRequestOutput {
  const answer = value as Partial<PaymentRequestOutput> | null;
  if (typeof answer?.requestId !== 'string' || answer.requestId === '')
    throw new Error('payments.request answered without a requestId');
  return {
    requestId: answer.requestId.slice(0, 200),
    status: typeof answer.status === 'string' ? answer.status.slice(0, 50) : 'requested',
  };
}

/** Why checkout cannot go on, for the payer: every failure of the call ends here. */
function refusal(err: unknown): string {
  if (errorCode(err) === 'permission_denied')
    return 'Payments are not available: the operator has not allowed this shop to request payments.';
  // A deliberate refusal by the payments plugin (a PaymentError: limit_exceeded,
  // invalid_payment_request …, a 4xx status); its message is meant for the caller.
  if (err instanceof PluginError && err.status < 500)
    return `Payments are not available for this order: ${String(err.message).replace(/\.?$/, '.')}`;
  // unavailable (no payments plugin running), plugin_failed, plugin_timeout, sandbox_limit, …
  return 'Payments are not available right now; try /checkout again later.';
}

import type { AppContext } from '../../sdk/index.js';
import type { ShopSettings } from './catalog.js';
import { cartKey, cartText, priceCart, withoutOrdered, type Cart, type CartLine, type LastOrder } from './cart.js';
import { errorCode, update } from './compare-and-set.js';
import { formatMoney } from './money.js';

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
 * It expects `{ requestId: string, status: string }` back. No payments plugin ships yet; until
 * one runs (and the operator grants this app `services.call` for it) the call fails, and the
 * checkout says that payments are not available and keeps the cart.
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

export interface PaymentRequestOutput { requestId: string; status: string }

export const PAYMENTS_SERVICE = 'payments.request';

/**
 * A checkout of one cart version, under `order/<conversationId>/<userId>/<cart version>`: first
 * a claim (`pending`, expiring by itself should the app be stopped mid-call), then the order.
 */
type OrderRecord = { state: 'pending' } | ({ state: 'requested'; idempotencyKey: string; lines: CartLine[] } & LastOrder);

const CLAIM_TTL_SECONDS = 60;

export async function checkout(ctx: AppContext<ShopSettings>, conversationId: string, userId: string): Promise<string> {
  const key = cartKey(conversationId, userId);
  const stored = await ctx.storage.get<Cart>(key);
  if (!stored || stored.value.lines.length === 0) {
    const last = stored?.value.lastOrder;
    return last ? `Your cart is empty. Your last order was payment request ${last.requestId} (${last.status}) for ${formatMoney(last.amountMinor, last.currency)}.` : 'Your cart is empty. See /catalog.';
  }
  const cart = stored.value;
  const priced = priceCart(cart, ctx.settings.catalog);
  if (priced.unavailable.length > 0) return `${priced.unavailable.join(', ')} ${priced.unavailable.length === 1 ? 'is' : 'are'} no longer sold; remove ${priced.unavailable.length === 1 ? 'it' : 'them'} with /remove first.`;
  const currency = priced.currency!;
  const ordered: CartLine[] = cart.lines.map((l) => ({ itemId: l.itemId, qty: l.qty }));
  const orderKey = `order/${conversationId}/${userId}/${stored.version}`;
  const idempotencyKey = `shop-${cart.id}-${stored.version}`;

  // This very cart version was already paid for: a retry after the order was recorded but
  // before the cart was emptied. Finish the job without asking again.
  const previous = await ctx.storage.get<OrderRecord>(orderKey);
  if (previous?.value.state === 'requested') return finish(ctx, key, previous.value, previous.value.lines);

  // Claim the checkout of this version, so that two /checkout at once ask only once.
  let claim: { version: number };
  try {
    claim = await ctx.storage.set(orderKey, { state: 'pending' } satisfies OrderRecord, { ifVersion: 0, ttlSeconds: CLAIM_TTL_SECONDS });
  } catch (err) {
    if (errorCode(err) === 'storage_conflict') return 'Your checkout is already under way; see /cart in a moment.';
    throw err;
  }

  const input: PaymentRequestInput = {
    payerId: userId, conversationId, currency, amountMinor: priced.totalMinor,
    description: `Shop order: ${priced.lines.map((l) => `${l.qty} × ${l.name}`).join(', ')}`.slice(0, 500),
    lines: priced.lines, idempotencyKey,
  };
  let output: PaymentRequestOutput;
  try {
    output = answerOf(await ctx.services.call(PAYMENTS_SERVICE, input));
  } catch (err) {
    // Release the claim so a later /checkout can try again (with the same idempotency key).
    await ctx.storage.delete(orderKey, { ifVersion: claim.version }).catch(() => false);
    ctx.log.info('checkout: payments.request failed', { code: errorCode(err) });
    return `${refusal(err)} Nothing was charged and your cart is kept.\n${cartText(priced)}`;
  }

  const order: OrderRecord = { state: 'requested', requestId: output.requestId, status: output.status, amountMinor: priced.totalMinor, currency, idempotencyKey, lines: ordered };
  try {
    await ctx.storage.set(orderKey, order, { ifVersion: claim.version });
  } catch (err) {
    // The claim expired and another checkout took over; it sent the same idempotency key.
    ctx.log.warn('checkout: the order record changed under this checkout', { code: errorCode(err), orderKey });
  }
  return finish(ctx, key, order, ordered);
}

/** Empties the cart of what was ordered and answers with the request id. */
async function finish(ctx: AppContext<ShopSettings>, key: string, order: LastOrder, ordered: CartLine[]): Promise<string> {
  const lastOrder: LastOrder = { requestId: order.requestId, status: order.status, amountMinor: order.amountMinor, currency: order.currency };
  const { value } = await update<Cart, null>(ctx.storage, key, (current) =>
    current ? { write: withoutOrdered(current.value, ordered, lastOrder), result: null } : { result: null });
  const left = value && value.lines.length > 0 ? ` Items you added during the checkout are still in your cart.` : ' Your cart is empty now.';
  return `Order placed: payment request ${order.requestId} (${order.status}) for ${formatMoney(order.amountMinor, order.currency)}.${left}`;
}

/** The provider's answer, checked: this app trusts no shape it did not verify. */
function answerOf(value: unknown): PaymentRequestOutput {
  const answer = value as Partial<PaymentRequestOutput> | null;
  if (typeof answer?.requestId !== 'string' || answer.requestId === '') throw new Error('payments.request answered without a requestId');
  return { requestId: answer.requestId.slice(0, 200), status: typeof answer.status === 'string' ? answer.status.slice(0, 50) : 'requested' };
}

/** Why checkout cannot go on, for the payer: every failure of the call ends here. */
function refusal(err: unknown): string {
  switch (errorCode(err)) {
    case 'permission_denied':
      return 'Payments are not available: the operator has not allowed this shop to request payments.';
    case 'invalid_request':
    case 'forbidden':
      // A deliberate refusal by the payments plugin; its message is meant for the caller.
      return `Payments are not available for this order: ${(err as Error).message}`;
    default:
      // unavailable (no payments plugin running), plugin_failed, plugin_timeout, sandbox_limit, …
      return 'Payments are not available right now; try /checkout again later.';
  }
}
